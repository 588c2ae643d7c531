"""Spreadsheet downloads (CSV and XLSX) for every domain, formula-safe in this one place.

A text cell starting with = + - @ TAB or CR is run as a formula by spreadsheet programs (an
organisation named '=HYPERLINK("http://evil", "点我")' would become a live link, OWASP "CSV injection").
CSV cells get a leading apostrophe; XLSX cells are written as text cells, which no program evaluates,
so the reader sees the name as it was typed. Amounts in Decimal yuan keep two places in both.
"""
import csv
import io
import unicodedata
from decimal import Decimal
from urllib.parse import quote

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A CSV cell that cannot run as a formula; any other value as it is."""
    if type(value) is str and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(rows) -> bytes:
    """Rows (the first one the header) as UTF-8 CSV with a BOM, so that Excel reads the Chinese."""
    buf = io.StringIO()
    csv.writer(buf).writerows([f"{v:.2f}" if type(v) is Decimal else safe_cell(v) for v in row] for row in rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(rows, title: str) -> bytes:
    """Rows (the first one the header) as one XLSX sheet named `title`; text always as text."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet_title(title))

    def cell(value):
        if type(value) is Decimal:
            c = WriteOnlyCell(ws, value=value)
            c.number_format = "#,##0.00"  # yuan
            return c
        if type(value) is not str:
            return value
        c = WriteOnlyCell(ws, value=value)
        c.data_type = "s"  # openpyxl would store "=..." as a formula
        return c

    for row in rows:
        ws.append([cell(v) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def sheet_title(title: str) -> str:
    """A worksheet name Excel accepts: no []:*?/\\, at most 31 characters."""
    cleaned = "".join(c for c in str(title) if c not in "[]:*?/\\" and c.isprintable())[:31]
    return cleaned or "sheet"


def attachment(filename: str) -> str:
    """A Content-Disposition for any file name: an ASCII fallback and the UTF-8 name (RFC 6266/5987)."""
    fallback = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    fallback = "".join(c for c in fallback if c.isprintable() and c not in '"\\;') or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
