"""The dashboard in a real browser: charts are drawn (SVG) and show the API's figures."""
from datetime import datetime, timedelta

import pytest

from .conftest import YEAR
from .test_recompute import _utc

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_dashboard_draws_charts_that_match_the_api(app, live_server, page, world, add_booking, client):
    sem, xrd = world["instruments"][0], world["instruments"][2]
    co1 = world["users"][world["orgs"]["co1"].id]
    for month, inst, hours in ((2, sem, 3), (5, xrd, 5), (5, sem, 2), (11, xrd, 7)):
        start = _utc(datetime(YEAR, month, 10, 9))
        add_booking(inst, co1, start, start + timedelta(hours=hours), status="settled",
                    actual=(start, start + timedelta(hours=hours)))
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    answer = page.goto(f"{live_server}/census?year={YEAR}")
    # the app's own policy lets no inline script run: the charts must still be drawn
    assert "script-src 'self';" in answer.headers["content-security-policy"]
    for chart in ("city", "month", "type", "top"):
        el = page.locator(f"#chart-{chart}")
        el.locator("svg").first.wait_for(state="attached")
        assert el.get_attribute("data-drawn") == "1"
    assert errors == []
    api = {r["key"]: r for r in client.get(f"/api/v1/census?year={YEAR}&group_by=city").get_json()["rows"]}
    # what the city chart plots (utilisation % and organisations served) is what the API says
    option = page.evaluate("""() => { const o = echarts.getInstanceByDom(document.getElementById('chart-city')).getOption();
                                      return {x: o.xAxis[0].data, util: o.series[0].data, orgs: o.series[1].data}; }""")
    assert option["x"] == list(api)
    assert option["util"] == [round((api[k]["utilisation"] or 0) * 100, 2) for k in api]
    assert option["orgs"] == [api[k]["orgs_served"] for k in api]
    # and so does the accessible table beside it
    for key, row in api.items():
        cell = page.locator(f'#table-city tr[data-key="{key}"] td').nth(2)
        assert float(cell.get_attribute("data-value")) == row["used_hours"]
    months = page.evaluate("""() => echarts.getInstanceByDom(document.getElementById('chart-month'))
                                      .getOption().series[0].data""")
    assert months[1] == 3 and months[4] == 7 and months[10] == 7 and sum(months) == 17
