"""The finance dashboard's charts: budget used by month (to the fen), by city and by grade, above
the tables; an empty state when the programme has spent nothing."""
import json
import re

import sqlalchemy as sa

from marketplace.core.timeutil import to_local
from marketplace.extensions import db
from marketplace.subsidy.models import Reservation
from marketplace.subsidy.services.charts import dashboard_charts

from .test_settlement import paid_booking, settle


def test_chart_figures_to_the_fen(world, two_providers):
    prog, lab2, inst2 = two_providers
    assert dashboard_charts(prog)["empty"] is True
    paid_booking(world)                                         # 苏州 sme: 30 % of ¥800 = ¥240
    paid_booking(world, user=world.company_user(city="无锡"))   # 无锡 enterprise: 20 % = ¥160
    settle(world, prog)                                         # lab A: 20 % × ¥1,600 = ¥320 (period ends 31 Dec)
    charts = dashboard_charts(prog)
    assert charts["empty"] is False
    committed_month = to_local(db.session.scalars(sa.select(Reservation.committed_at)).first()).month
    by_month = {m["month"]: m for m in charts["months"]}
    assert by_month[committed_month]["user"] == 40_000
    assert by_month[12]["provider"] == 32_000
    assert sum(m["used"] for m in charts["months"]) == charts["months"][-1]["cumulative"] == 72_000
    assert {c["city"]: c["committed"] for c in charts["by_city"]} == {"苏州": 24_000, "无锡": 16_000}
    grades = {g["grade"]: g for g in charts["by_grade"]}
    assert (grades["A"]["units"], grades["A"]["income"], grades["A"]["awarded"]) == (1, 160_000, 32_000)
    assert grades["A"]["label"] == "A 优秀" and grades["D"]["awarded"] == 0


def test_dashboard_page_charts_above_tables_and_empty_state(world, two_providers, client, login):
    prog, lab2, inst2 = two_providers
    login(client, world.finance)
    page = client.get(f"/subsidy/programmes/{prog.id}").get_data(as_text=True)
    assert 'id="charts-empty"' in page and "echarts.min.js" not in page and 'id="chart-months"' not in page
    paid_booking(world)
    page = client.get(f"/subsidy/programmes/{prog.id}").get_data(as_text=True)
    assert 'id="charts-empty"' not in page and "echarts.min.js" in page and "js/finance-dashboard.js" in page
    assert page.index('id="chart-months"') < page.index(">按城市<")           # charts come first
    assert "<script>" not in page                                               # no inline script
    data = json.loads(re.search(r'<script type="application/json" id="finance-charts-data">(.*?)</script>',
                                page, re.S).group(1))
    assert sum(m["user"] for m in data["data"]["months"]) == 24_000
    client.post("/logout")
    login(client, world.co_user)
    assert client.get(f"/subsidy/programmes/{prog.id}").status_code == 403


def test_dashboard_names_cities_in_the_interface_language(world, two_providers, client, login):
    prog, lab2, inst2 = two_providers
    paid_booking(world)                                         # a 苏州 company
    login(client, world.finance)
    client.get("/lang/en")
    page = client.get(f"/subsidy/programmes/{prog.id}").get_data(as_text=True)
    data = json.loads(re.search(r'<script type="application/json" id="finance-charts-data">(.*?)</script>',
                                page, re.S).group(1))
    assert [c["city"] for c in data["data"]["by_city"]] == ["Suzhou"]
    assert "<td>Suzhou</td>" in page and "<td>苏州</td>" not in page
