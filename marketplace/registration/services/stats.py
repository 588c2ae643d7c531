"""Technology-contract statistics: registered contracts, 合同成交额 and 技术交易额 by type, technical
field, city, party nature (the seller's, as the national statistics count them) or month."""
from datetime import date

import sqlalchemy as sa

from ...core import exports
from ...extensions import db
from .. import rules
from ..models import ContractRegistration as CR
from ..reference import CONTRACT_TYPES, JIANGSU_CITY_CODES, NATURES, STAT_GROUPS, TECH_FIELDS, label
from ..states import IN_FORCE

GROUPS = STAT_GROUPS


def _key_column(group_by: str):
    return {
        "type": CR.contract_type, "field": CR.tech_field, "city": CR.seller_city_code,
        "nature": CR.seller_nature, "month": sa.extract("month", CR.registered_on),
    }[group_by]


def key_label(group_by: str, key) -> str:
    if group_by == "type":
        return label(CONTRACT_TYPES, key)
    if group_by == "field":
        return label(TECH_FIELDS, key)
    if group_by == "nature":
        return label(NATURES, key)
    if group_by == "city":
        from ...core.i18n import tr
        name = JIANGSU_CITY_CODES.get(key) or rules.city_code_name(key) or key
        return f"{key} {tr(name)}"
    return f"{int(key):02d}"


def contract_stats(year: int, group_by: str) -> dict:
    """{year, group_by, rows: [{key, label, count, total_amount, tech_amount}], totals} of the contracts
    registered in `year` and still in force (amended ones with their latest figures)."""
    if group_by not in GROUPS:
        raise ValueError(group_by)
    key = _key_column(group_by).label("key")
    rows = db.session.execute(
        sa.select(key, sa.func.count(CR.id), sa.func.coalesce(sa.func.sum(CR.total_amount), 0),
                  sa.func.coalesce(sa.func.sum(CR.tech_amount), 0))
        .where(CR.kind == "new", CR.status.in_(IN_FORCE),
               CR.registered_on >= date(year, 1, 1), CR.registered_on <= date(year, 12, 31))
        .group_by(key).order_by(key)).all()
    out = []
    for k, count, total, tech in rows:
        k = f"{int(k):02d}" if group_by == "month" else k
        out.append({"key": k, "label": key_label(group_by, k), "count": count,
                    "total_amount": int(total), "tech_amount": int(tech)})
    if group_by in ("type", "field", "nature"):
        order = list({"type": CONTRACT_TYPES, "field": TECH_FIELDS, "nature": NATURES}[group_by])
        out.sort(key=lambda r: order.index(r["key"]) if r["key"] in order else len(order))
    totals = {"count": sum(r["count"] for r in out), "total_amount": sum(r["total_amount"] for r in out),
              "tech_amount": sum(r["tech_amount"] for r in out)}
    return {"year": year, "group_by": group_by, "rows": out, "totals": totals}


def export_rows(stats: dict, headers: list[str]) -> list[list]:
    """Header + rows for CSV/XLSX (core.exports makes the text cells safe): raw fen and yuan columns."""
    table = [headers]
    for r in stats["rows"]:
        table.append([str(r["key"]), r["label"], r["count"],
                      r["total_amount"], r["tech_amount"],
                      round(r["total_amount"] / 100, 2), round(r["tech_amount"] / 100, 2)])
    return table


to_csv = exports.to_csv
to_xlsx = exports.to_xlsx
