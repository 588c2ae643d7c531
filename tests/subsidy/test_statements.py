"""Statements as finance uses them: the organisation chosen by name, totals, yuan in the sheet with
the fen kept in raw columns, labels instead of codes, errors next to their field, links to bookings."""
import csv
import io
from decimal import Decimal

from openpyxl import load_workbook

from .test_settlement import paid_booking, settle


def test_statement_by_name_with_totals_links_and_yuan(world, two_providers, client, login):
    prog, lab2, inst2 = two_providers
    b1 = paid_booking(world)                                  # ¥800, subsidy 30 % = ¥240 (sme)
    b2 = paid_booking(world, hours=1)                          # ¥400, subsidy ¥120
    login(client, world.finance)
    page = client.get("/subsidy/statements")
    assert page.status_code == 200 and "请先选择单位" in page.get_data(as_text=True)
    resp = client.get("/subsidy/statements", query_string={"org": world.company.name, "period": "2026Q4"})
    text = resp.get_data(as_text=True)
    assert resp.status_code == 200 and world.company.name in text
    assert f'href="/booking/{b1.id}"' in text and f'href="/booking/{b2.id}"' in text
    totals = text[text.index('id="statement-totals"'):text.index("</tfoot>")]
    assert "合计：作为用户（2 条）" in totals
    assert "¥1,200.00" in totals and "¥360.00" in totals and "¥840.00" in totals
    assert "已确认" in text                                   # the status by name, not "committed"

    resp = client.get(f"/subsidy/statements?org_id={world.company.id}&period=2026Q4&format=csv")
    rows = list(csv.reader(io.StringIO(resp.get_data().decode("utf-8-sig"))))
    assert rows[0][4:7] == ["费用（元）", "用户补贴（元）", "实付（元）"] and rows[0][8:] == ["费用（分）", "用户补贴（分）", "实付（分）"]
    mine = [r for r in rows[1:] if r[1] == str(b1.id)][0]
    assert mine[4:7] == ["800.00", "240.00", "560.00"] and mine[7] == "已确认" and mine[8:] == ["80000", "24000", "56000"]
    assert rows[-1][0] == "合计：作为用户" and rows[-1][4:7] == ["1200.00", "360.00", "840.00"]
    assert rows[-1][8:] == ["120000", "36000", "84000"]

    resp = client.get(f"/subsidy/statements?org_id={world.company.id}&period=2026Q4&format=xlsx")
    ws = load_workbook(io.BytesIO(resp.data)).active
    sheet = list(ws.iter_rows(values_only=True))
    mine = [r for r in sheet[1:] if r[1] == b1.id][0]
    assert [Decimal(str(v)) for v in mine[4:7]] == [Decimal(800), Decimal(240), Decimal(560)]
    assert mine[7] == "已确认" and mine[8:] == (80_000, 24_000, 56_000)
    assert sheet[-1][0] == "合计：作为用户" and sheet[-1][8:] == (120_000, 36_000, 84_000)


def test_settled_subsidy_line_is_labelled(world, two_providers, client, login):
    prog, lab2, inst2 = two_providers
    paid_booking(world)
    settle(world, prog)
    login(client, world.finance)
    resp = client.get(f"/subsidy/statements?org_id={world.lab.id}&period=2026Q4&format=csv")
    rows = list(csv.reader(io.StringIO(resp.get_data().decode("utf-8-sig"))))
    line = [r for r in rows[1:] if r[0] == "2026Q4"][0]
    assert "settled" not in line and line[5] == "160.00" and line[9] == "16000"
    # the provider's booking income and its settled income are totalled apart, never added together
    totals = {r[0]: r for r in rows if r[0].startswith("合计")}
    assert totals["合计：作为管理单位"][8:] == ["80000", "24000", "56000"]
    assert totals["合计：管理单位补贴结算"][8:] == ["80000", "16000", "0"]
    page = client.get(f"/subsidy/statements?org_id={world.lab.id}&period=2026Q4").get_data(as_text=True)
    assert 'data-kind="provider"' in page and 'data-kind="settlement"' in page and 'data-kind="user"' not in page


def test_bad_period_and_unknown_name_next_to_their_fields(world, two_providers, client, login):
    login(client, world.finance)
    resp = client.get("/subsidy/statements", query_string={"org": world.lab.name, "period": "2026Q9"})
    text = resp.get_data(as_text=True)
    assert resp.status_code == 422 and 'id="period-err"' in text and "2026Q4" in text
    resp = client.get("/subsidy/statements", query_string={"org": "不存在的单位", "period": "2026Q4"})
    text = resp.get_data(as_text=True)
    assert resp.status_code == 422 and 'id="org-err"' in text and "找不到" in text
    assert client.get("/subsidy/statements?org_id=abc").status_code == 422
    assert client.get("/subsidy/statements?org_id=99999999999").status_code == 422


def test_organisation_chooser_endpoint(world, two_providers, client, login):
    login(client, world.finance)
    items = client.get("/subsidy/organisations.json?q=东南").get_json()["items"]
    assert [i["name"] for i in items] == ["东南大学分析中心"]
    assert client.get("/subsidy/organisations.json?q=").get_json() == {"items": []}
    assert client.get("/subsidy/organisations.json?q=%25").get_json() == {"items": []}  # % is not a wildcard
    client.post("/logout")
    login(client, world.co_user)
    assert client.get("/subsidy/organisations.json?q=东南").status_code == 403
    # a member sees only their own statement, and no chooser
    page = client.get("/subsidy/statements?period=2026Q4").get_data(as_text=True)
    assert 'list="org-options"' not in page
    assert client.get(f"/subsidy/statements?org_id={world.lab.id}").status_code == 403
