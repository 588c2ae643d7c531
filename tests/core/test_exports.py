"""core.exports: every spreadsheet download is formula-safe in one place (CSV and XLSX)."""
import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from marketplace.core import exports

HOSTILE = ['=HYPERLINK("http://evil.example","点我")', "+1+2", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("value, out", [
    ("=SUM(A1)", "'=SUM(A1)"), ("+1", "'+1"), ("-1", "'-1"), ("@x", "'@x"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("南京", "南京"), ("a=b", "a=b"), (12, 12), (-5, -5), (None, None),
])
def test_safe_cell(value, out):
    assert exports.safe_cell(value) == out


def test_csv_has_a_bom_apostrophes_and_two_place_yuan():
    body = exports.to_csv([["单位", "金额"], *[[name, Decimal("1234.5")] for name in HOSTILE], ["南京大学", -3]])
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["单位", "金额"]
    assert [r[0] for r in rows[1:-1]] == ["'" + n for n in HOSTILE]
    assert {r[1] for r in rows[1:-1]} == {"1234.50"}
    assert rows[-1] == ["南京大学", "-3"]   # numbers are not text: no apostrophe


def test_xlsx_keeps_text_as_text_and_numbers_as_numbers():
    wb = load_workbook(io.BytesIO(exports.to_xlsx([["单位", "金额"], *[[n, Decimal("12.30")] for n in HOSTILE]],
                                                  "2026Q4 [统计]/:*?")))
    ws = wb.active
    assert ws.title == "2026Q4 统计"
    # As typed, never "f" (a formula); the XML writer may turn CR into LF (with lxml it keeps it).
    names = [(row[0].value.replace("\r", "\n"), row[0].data_type) for row in ws.iter_rows(min_row=2)]
    assert names == [(n.replace("\r", "\n"), "s") for n in HOSTILE]
    amounts = [row[1] for row in ws.iter_rows(min_row=2)]
    assert {(c.value, c.data_type, c.number_format) for c in amounts} == {(12.3, "n", "#,##0.00")}


def test_attachment_names_any_file():
    header = exports.attachment("统计 2026.xlsx")
    assert header.startswith('attachment; filename="')
    assert "filename*=UTF-8''%E7%BB%9F%E8%AE%A1%202026.xlsx" in header
