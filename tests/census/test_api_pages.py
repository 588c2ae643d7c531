"""The census over HTTP and the command line: open data, exports, pages, forms, and bad input."""
import csv
import io
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from marketplace.census.models import SelfReport
from marketplace.extensions import db
from marketplace.subsidy.models import ProviderGrade
from marketplace.subsidy.services import new_programme

from .conftest import YEAR
from .test_recompute import _utc


@pytest.fixture
def used(world, add_booking):
    sem = world["instruments"][0]
    co1 = world["users"][world["orgs"]["co1"].id]
    start = _utc(datetime(YEAR, 4, 1, 9))
    add_booking(sem, co1, start, start + timedelta(hours=3), status="completed",
                actual=(start, start + timedelta(hours=2, minutes=30)), fee=75_000)
    return world


def test_open_data_rows_have_the_contract_fields(client, used):
    rows = client.get(f"/api/v1/census?year={YEAR}&group_by=city").get_json()["rows"]
    nanjing = next(r for r in rows if r["key"] == "南京")
    fields = {"key", "instruments", "available_hours", "used_hours", "external_hours", "utilisation", "share_rate",
              "orgs_served", "income_internal", "income_external", "subsidy_user", "subsidy_provider"}
    assert fields <= set(nanjing)
    assert (nanjing["instruments"], nanjing["used_hours"], nanjing["external_hours"], nanjing["orgs_served"],
            nanjing["income_external"]) == (2, 2.5, 2.5, 1, 75_000)
    assert nanjing["utilisation"] == round(2.5 / 2200, 4) and nanjing["share_rate"] == 1.0
    for group_by in ("type", "org", "instrument"):
        assert client.get(f"/api/v1/census?year={YEAR}&group_by={group_by}").status_code == 200
    ev = client.get(f"/api/v1/census/evaluation?year={YEAR}").get_json()["rows"]
    assert {r["org_id"] for r in ev} == {used["orgs"]["lab"].id, used["orgs"]["inst_b"].id}
    assert all(r["grade"] in ("优秀", "良好", "合格", "较差") for r in ev)


@pytest.mark.parametrize("query", ["", "year=", "year=abc", "year=1999", "year=2101", "year=99999999999999999999",
                                   f"year={YEAR}&group_by=province", f"year={YEAR}&group_by=%00", "year=2025.5",
                                   "year=%F0%9F%98%80"])
def test_bad_census_queries_are_422(client, query):
    resp = client.get(f"/api/v1/census?{query}")
    assert resp.status_code == 422 and resp.mimetype == "application/problem+json"
    if "group_by" not in query:
        assert client.get(f"/api/v1/census/evaluation?{query}").status_code == 422


def test_pages_answer_bad_input_with_4xx(client, used):
    assert client.get("/census?year=abc").status_code == 422
    assert client.get("/census?year=1").status_code == 422
    assert client.get(f"/census/export.csv?year={YEAR}&group_by=nope").status_code == 422
    assert client.get(f"/census/export.exe?year={YEAR}").status_code == 404
    assert client.get("/census/evaluation?year=%00").status_code == 422
    assert client.get(f"/census/table?year={YEAR}&group_by=x").status_code == 422


def test_dashboard_panel_and_tables(client, used):
    page = client.get(f"/census?year={YEAR}").get_data(as_text=True)
    assert 'id="census-data"' in page and 'type="application/json"' in page
    assert "vendor/echarts/echarts.min.js" in page and "js/census.js" in page
    assert "<script>" not in page  # no inline script: the page works under a strict CSP
    assert 'data-key="南京"' in page and "13,500" in page
    panel = client.get("/platforms/data").get_data(as_text=True)
    assert 'id="census-panel"' in panel and "/census" in panel


def test_exports_csv_and_xlsx_neutralise_formulas(client, used, make_resource):
    make_resource("instrument", used["orgs"]["lab"], title="=HYPERLINK(\"http://evil\",\"x\")")
    body = client.get(f"/census/export.csv?year={YEAR}&group_by=instrument").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[1][:3] == ["key", "label", "instruments"]
    labels = [r[1] for r in rows[2:]]
    assert "'=HYPERLINK(\"http://evil\",\"x\")" in labels and not any(label.startswith("=") for label in labels)
    resp = client.get(f"/census/export.xlsx?year={YEAR}&group_by=instrument")
    ws = load_workbook(io.BytesIO(resp.data)).active
    cells = {c.value: c.data_type for row in ws.iter_rows() for c in row}
    assert cells["=HYPERLINK(\"http://evil\",\"x\")"] == "s"   # the title as typed, in a text cell
    assert "f" not in cells.values()                              # no formula anywhere


def test_cli_report_and_evaluate(app, runner, used, tmp_path):
    out = tmp_path / "c.xlsx"
    result = runner.invoke(args=["census", "report", "--year", str(YEAR), "--format", "xlsx", "--out", str(out)])
    assert result.exit_code == 0, result.output
    ws = load_workbook(out).active
    assert [c.value for c in ws[2]][:3] == ["key", "label", "instruments"]
    assert ws.cell(3, 1).value == "南京" and ws.cell(3, 6).value == 2.5
    result = runner.invoke(args=["census", "report", "--year", str(YEAR), "--format", "csv"])
    assert result.exit_code == 0 and "南京" in result.output
    result = runner.invoke(args=["census", "evaluate", "--year", str(YEAR)])
    assert result.exit_code == 0 and "2 managing units" in result.output
    assert runner.invoke(args=["census", "report", "--year", "abc"]).exit_code == 2
    assert runner.invoke(args=["census", "evaluate", "--year", "1900"]).exit_code == 2


def test_self_report_form_and_api(client, used, login, api_token, make_user):
    sem, xrd = used["instruments"][0], used["instruments"][2]
    lab_user = used["users"][used["orgs"]["lab"].id]
    login(client, lab_user)
    form = {"instrument_id": sem.id, "year": YEAR, "hours": 120, "external_hours": 30, "orgs_served": 4,
            "income": "1234.56", "note": "线下"}
    assert client.post("/census/self-reports", data=form).status_code == 302
    row = db.session.scalar(sa.select(SelfReport))
    assert (row.hours, row.income, row.org_id) == (120, 123_456, used["orgs"]["lab"].id)
    for bad in ({"hours": -1}, {"hours": 10**9}, {"external_hours": 500}, {"income": "abc"}, {"year": 1900},
                {"instrument_id": xrd.id}, {"instrument_id": "x"}, {"hours": ""}):
        resp = client.post("/census/self-reports", data={**form, **bad})
        assert resp.status_code == 200, bad  # the form again, with the error next to the field
        assert 'class="error"' in resp.get_data(as_text=True), bad
    assert db.session.scalar(sa.select(SelfReport.hours)) == 120  # nothing changed
    page = client.get("/census/self-reports").get_data(as_text=True)
    assert "线下" in page
    detail = client.get(f"/census/table?year={YEAR}&group_by=instrument").get_data(as_text=True)
    assert "自报" in detail and ">120<" in detail

    headers = api_token(lab_user)
    body = {"instrument_id": sem.id, "year": YEAR, "hours": 10, "external_hours": 1, "orgs_served": 1,
            "income": 100, "note": ""}
    assert client.post("/api/v1/census/self-reports", json=body, headers=headers).status_code == 201
    for bad in ({"hours": 1.5}, {"hours": "1"}, {"income": True}, {"year": 3000}, {"external_hours": 11},
                {"note": "x" * 1001}, {"note": "a\x00b"}, {"note": "\ud800"}, {"instrument_id": 0},
                {"instrument_id": 2**31}, {"orgs_served": -1}, {"year": None}):
        resp = client.post("/api/v1/census/self-reports", json={**body, **bad}, headers=headers)
        assert resp.status_code == 422, (bad, resp.get_json())
    assert client.post("/api/v1/census/self-reports", json={**body, "instrument_id": xrd.id},
                       headers=headers).status_code == 403
    assert client.post("/api/v1/census/self-reports", json={**body, "instrument_id": 10**6},
                       headers=headers).status_code == 404
    assert db.session.scalar(sa.select(SelfReport.hours)) == 10
    outsider = api_token(used["users"][used["orgs"]["co1"].id])
    assert client.get(f"/api/v1/census/self-reports?org={used['orgs']['lab'].id}", headers=outsider).status_code == 403
    reviewer = api_token(make_user(roles=("reviewer",)))
    items = client.get(f"/api/v1/census/self-reports?year={YEAR}", headers=reviewer).get_json()["items"]
    assert [i["hours"] for i in items] == [10]
    assert client.get("/api/v1/census/self-reports?year=x", headers=reviewer).status_code == 422


def test_apply_grades_page_and_api(client, used, login, api_token, make_user):
    prog = new_programme(actor=None, name="2025 补贴", year=YEAR, budget=10_000_000)
    db.session.commit()
    company_headers = api_token(used["users"][used["orgs"]["co1"].id])
    assert client.post("/api/v1/census/apply-grades", json={"programme_id": prog.id},
                       headers=company_headers).status_code == 403
    finance = make_user(roles=("finance",))
    headers = api_token(finance)
    for bad, code in (({"programme_id": "1"}, 422), ({"programme_id": 10**6}, 404), ({}, 422),
                      ({"programme_id": prog.id, "year": 1999}, 422)):
        assert client.post("/api/v1/census/apply-grades", json=bad, headers=headers).status_code == code, bad
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProviderGrade)) == 0
    resp = client.post("/api/v1/census/apply-grades", json={"programme_id": prog.id}, headers=headers)
    assert resp.status_code == 200 and resp.get_json()["units"] == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProviderGrade)) == 2
    login(client, finance)
    page = client.get(f"/census/evaluation?year={YEAR}").get_data(as_text=True)
    assert "census/evaluation/apply" in page
    assert client.post("/census/evaluation/apply", data={"programme_id": prog.id, "year": YEAR}).status_code == 302
    before = db.session.scalar(sa.select(sa.func.count()).select_from(ProviderGrade))
    for bad in ({"programme_id": 10**6, "year": YEAR}, {"programme_id": prog.id, "year": "x"}, {}):
        resp = client.post("/census/evaluation/apply", data=bad)
        body = resp.get_data(as_text=True)
        assert resp.status_code == 422 and ('class="error"' in body or "flash-error" in body), bad
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProviderGrade)) == before
    login(client, used["users"][used["orgs"]["co1"].id])
    assert client.post("/census/evaluation/apply", data={"programme_id": prog.id, "year": YEAR}).status_code == 403
