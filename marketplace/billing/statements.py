"""Reading bank statement files: the CSV Chinese online banking exports, and ISO 20022 camt.053 XML.

Pure (no app, no database): bytes in, `StatementLine`s out, or `StatementError` naming the line (CSV
row number, or the camt.053 entry's position) and what is wrong with it. Only credits (money in) are
kept; debits and unbooked entries are skipped.
"""
import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from lxml import etree

MAX_AMOUNT = 10**13  # fen: far above any real transfer, below any column's limit


@dataclass(frozen=True)
class StatementLine:
    row: int               # the CSV row (1 = the file's first line) or the camt.053 entry number
    transaction_id: str    # 交易流水号 / AcctSvcrRef
    booked_on: date
    payer_name: str
    payer_account: str
    amount: int            # fen
    remark: str            # 摘要 / 附言 / Ustrd


class StatementError(ValueError):
    def __init__(self, row: int | None, message: str):
        super().__init__(message)
        self.row = row
        self.message = message


def parse(data: bytes, fmt: str | None = None) -> tuple[str, list[StatementLine]]:
    """(format, credit lines) of a statement; the format is guessed when not given."""
    fmt = fmt or ("camt053" if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") else "csv")
    if fmt == "camt053":
        return fmt, parse_camt053(data)
    if fmt == "csv":
        return fmt, parse_csv(data)
    raise StatementError(None, "format")


# -- CSV -------------------------------------------------------------------------------------------

HEADERS = {
    "booked_on": ("交易日期", "记账日期", "交易时间"),
    "transaction_id": ("交易流水号", "流水号", "交易参考号"),
    "payer_name": ("对方户名", "对方账户名称", "付款人名称"),
    "payer_account": ("对方账号", "对方账户", "付款人账号"),
    "amount": ("收入金额", "贷方发生额", "收入"),
    "remark": ("摘要/附言", "附言", "摘要", "用途", "备注"),
}
REQUIRED = ("booked_on", "transaction_id", "payer_name", "amount", "remark")


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):  # exports are GBK/GB18030 unless saved again as UTF-8
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise StatementError(None, "encoding")


def _columns(header: list[str]) -> dict[str, int] | None:
    names = [h.strip().lstrip("\ufeff") for h in header]
    cols = {}
    for key, options in HEADERS.items():
        for option in options:
            if option in names:
                cols.setdefault(key, names.index(option))
                break
    # 摘要 and 附言 both present: the remark is both (the code may be in either)
    if "摘要" in names and "附言" in names:
        cols["remark2"] = names.index("摘要")
        cols["remark"] = names.index("附言")
    return cols if all(k in cols for k in REQUIRED) else None


def parse_amount(text: str) -> int | None:
    """'1,234.56' / '¥1234.5' -> fen; None when empty; raises ValueError when not an amount."""
    text = (text or "").strip().replace(",", "").replace("¥", "").replace("￥", "").replace("+", "")
    if text in ("", "-", "--", "0", "0.00"):
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(text) from None
    if value != value.quantize(Decimal("0.01")) or value <= 0 or value * 100 > MAX_AMOUNT:
        raise ValueError(text)
    return int(value * 100)


def parse_date(text: str) -> date:
    text = (text or "").strip()[:19]
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y年%m月%d日"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def parse_csv(data: bytes) -> list[StatementLine]:
    text = _decode(data)
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as err:
        raise StatementError(None, f"csv: {err}") from None
    cols = None
    out = []
    for n, row in enumerate(rows, start=1):
        if cols is None:
            cols = _columns(row)  # the bank's own heading lines (account, period…) come first
            continue
        if not any(c.strip() for c in row):
            continue
        if row[0].strip().startswith(("合计", "总计", "本页合计", "共")):
            continue  # the summary line some banks end with
        if len(row) <= max(cols.values()):
            raise StatementError(n, "columns")
        try:
            amount = parse_amount(row[cols["amount"]])
        except ValueError:
            raise StatementError(n, "amount") from None
        if amount is None:
            continue  # money out, or a zero line
        try:
            booked_on = parse_date(row[cols["booked_on"]])
        except ValueError:
            raise StatementError(n, "date") from None
        txid = row[cols["transaction_id"]].strip().lstrip("'")
        if not txid or len(txid) > 64:
            raise StatementError(n, "transaction_id")
        remark = row[cols["remark"]].strip()
        if "remark2" in cols:
            remark = f"{row[cols['remark2']].strip()} {remark}".strip()
        out.append(StatementLine(n, txid, booked_on, row[cols["payer_name"]].strip()[:200],
                                 row[cols["payer_account"]].strip()[:64] if "payer_account" in cols else "",
                                 amount, remark[:500]))
    if cols is None:
        raise StatementError(None, "header")
    return out


# -- camt.053 --------------------------------------------------------------------------------------

_CAMT_NS = re.compile(r"urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.\d{2}")


def _text(node, path: str, ns: dict) -> str:
    found = node.find(path, ns)
    return (found.text or "").strip() if found is not None and found.text else ""


def parse_camt053(data: bytes) -> list[StatementLine]:
    # no entities, no network: a statement file is data, never instructions to fetch something
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as err:
        raise StatementError(err.lineno, "xml") from None
    namespace = etree.QName(root).namespace or ""
    if not _CAMT_NS.fullmatch(namespace):
        raise StatementError(None, "namespace")
    ns = {"c": namespace}
    out = []
    for n, entry in enumerate(root.iterfind("c:BkToCstmrStmt/c:Stmt/c:Ntry", ns), start=1):
        row = entry.sourceline or n
        if _text(entry, "c:CdtDbtInd", ns) != "CRDT":
            continue
        status = _text(entry, "c:Sts", ns) or _text(entry, "c:Sts/c:Cd", ns)
        if status and status != "BOOK":
            continue
        details = entry.findall("c:NtryDtls/c:TxDtls", ns) or [None]
        for tx in details:
            out.append(_camt_line(entry, tx, row, ns))
    return out


def _camt_line(entry, tx, row: int, ns: dict) -> StatementLine:
    amount_node = (tx.find("c:AmtDtls/c:TxAmt/c:Amt", ns) if tx is not None else None)
    if amount_node is None or len(entry.findall("c:NtryDtls/c:TxDtls", ns)) < 2:
        amount_node = entry.find("c:Amt", ns)
    if amount_node is None or (amount_node.get("Ccy") or "CNY") != "CNY":
        raise StatementError(row, "currency")
    try:
        amount = parse_amount(amount_node.text or "")
    except ValueError:
        raise StatementError(row, "amount") from None
    if amount is None:
        raise StatementError(row, "amount")
    try:
        booked_on = parse_date(_text(entry, "c:BookgDt/c:Dt", ns) or _text(entry, "c:BookgDt/c:DtTm", ns)[:10])
    except ValueError:
        raise StatementError(row, "date") from None
    scope = tx if tx is not None else entry
    txid = (_text(scope, "c:Refs/c:AcctSvcrRef", ns) or _text(entry, "c:AcctSvcrRef", ns)
            or _text(scope, "c:Refs/c:EndToEndId", ns))
    if not txid or len(txid) > 64:
        raise StatementError(row, "transaction_id")
    name = (_text(scope, "c:RltdPties/c:Dbtr/c:Nm", ns) or _text(scope, "c:RltdPties/c:Dbtr/c:Pty/c:Nm", ns))
    account = (_text(scope, "c:RltdPties/c:DbtrAcct/c:Id/c:Othr/c:Id", ns)
               or _text(scope, "c:RltdPties/c:DbtrAcct/c:Id/c:IBAN", ns))
    remark = " ".join(e.text.strip() for e in scope.iterfind("c:RmtInf/c:Ustrd", ns) if e.text) \
        or _text(entry, "c:AddtlNtryInf", ns)
    return StatementLine(row, txid, booked_on, name[:200], account[:64], amount, remark[:500])
