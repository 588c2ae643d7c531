"""Issue 9 items 5 and 9: statement cells never become formulas (CSV and XLSX); Unicode digits in a
period are a clear 422; a non-ASCII download file name works."""
import csv
import io
from urllib.parse import quote

import pytest
from openpyxl import load_workbook

from marketplace.subsidy import rules

from .test_settlement import paid_booking, settle

HOSTILE = ['=HYPERLINK("http://evil.example","点我")', "+1+2", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"]


def test_statement_cells_never_become_formulas(world, two_providers, client, login):
    prog, _lab2, _inst2 = two_providers
    for name in HOSTILE:
        user = world.company_user(name=name)
        paid_booking(world, user=user)
    settle(world, prog)
    login(client, world.finance)
    resp = client.get(f"/subsidy/statements?org_id={world.lab.id}&period=2026Q4&format=xlsx")
    assert resp.status_code == 200
    ws = load_workbook(io.BytesIO(resp.data)).active
    names = {}
    for row in ws.iter_rows(min_row=2):
        cell = row[3]
        if cell.value:
            names[cell.value.replace("\r", "\n")] = cell.data_type
    # the names as they are (the XML writer may keep CR or turn it into LF: lxml keeps it)
    assert set(names) == {n.replace("\r", "\n") for n in HOSTILE}
    assert set(names.values()) == {"s"}             # every one a text cell, none a formula ("f")
    resp = client.get(f"/subsidy/statements?org_id={world.lab.id}&period=2026Q4&format=csv")
    rows = list(csv.reader(io.StringIO(resp.get_data().decode("utf-8-sig"))))
    counterparties = [r[3] for r in rows[1:] if r[3]]
    assert sorted(counterparties) == sorted("'" + n for n in HOSTILE)
    assert all(not c.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows[1:] for c in r if c)


@pytest.mark.parametrize("period", ["²⁰²⁶Q4", "２０２６Q4", "2026Q４", "٢٠٢٦Q4", "𝟚𝟘𝟚𝟞"])
def test_unicode_digits_in_a_period_are_a_clear_422(world, client, login, period):
    world.new_programme()
    login(client, world.co_user)
    for fmt in ("", "&format=csv", "&format=xlsx"):
        resp = client.get(f"/subsidy/statements?period={quote(period)}{fmt}")
        assert resp.status_code == 422, (period, fmt, resp.status_code)
        assert "2026Q4" in resp.get_data(as_text=True)   # says what a period looks like
    with pytest.raises(ValueError):
        rules.parse_period(period)


def test_non_ascii_download_name(world, two_providers, client, login):
    prog, _lab2, _inst2 = two_providers
    paid_booking(world)
    settle(world, prog)
    login(client, world.finance)
    for fmt in ("csv", "xlsx"):
        resp = client.get(f"/subsidy/statements?org_id={world.lab.id}&period=2026Q4&format={fmt}")
        assert resp.status_code == 200
        disposition = resp.headers["Content-Disposition"]
        assert disposition.isascii() and "filename*=UTF-8''" in disposition
        assert quote(f"对账单-{world.lab.name}-2026Q4.{fmt}", safe="") in disposition
