"""What the dashboards, the open-data API and the exports show: census rows with self-reported
figures beside them, the plan's figures, and CSV/XLSX files of the same numbers."""

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ...catalog.models import Instrument, Resource
from ...core import exports
from ...extensions import db
from ...ledger.models import JournalEntry, JournalLine
from ...subsidy.models import Programme
from .census import Row, census, check_year, monthly, orgs_served_total, totals
from .selfreports import self_reported_by

COLUMNS = ["key", "label", "instruments", "available_hours", "quota_hours", "used_hours", "external_hours",
           "utilisation", "share_rate", "orgs_served", "income_internal", "income_external", "subsidy_user",
           "subsidy_provider", "self_hours", "self_external_hours", "self_orgs_served", "self_income"]


def column_titles() -> list[str]:
    return [_("分组"), _("名称"), _("仪器数"), _("可用机时（小时）"), _("定额机时（小时）"), _("有效工作机时（小时）"),
            _("对外服务机时（小时）"), _("利用率"), _("共享率"), _("服务外单位数"), _("对内收入（分）"),
            _("对外收入（分）"), _("用户补贴（分）"), _("管理单位补贴（分）"), _("自报机时（平台外）"),
            _("自报对外机时（平台外）"), _("自报服务单位数（平台外）"), _("自报收入（分，平台外）")]


def rows_with_self_reports(year: int, group_by: str) -> list[dict]:
    """Census rows as dicts; `self_reported` holds the provider's own figures for use off the
    platform (None when nothing was reported), kept apart from the computed ones."""
    reported = self_reported_by(group_by, year)
    out = []
    for row in census(year, group_by):
        d = row.as_dict()
        d["self_reported"] = reported.pop(row.key, None)
        out.append(d)
    for key, figures in sorted(reported.items(), key=lambda kv: str(kv[0])):  # reported, not in the census
        d = Row(key=key, subsidy_provider=None if group_by in ("instrument", "type") else 0).as_dict()
        d["self_reported"] = figures
        out.append(d)
    return out


def flat(row: dict) -> list:
    sr = row.get("self_reported") or {}
    return [row["key"], row["label"], row["instruments"], row["available_hours"], row["quota_hours"],
            row["used_hours"], row["external_hours"], row["utilisation"], row["share_rate"], row["orgs_served"],
            row["income_internal"], row["income_external"], row["subsidy_user"], row["subsidy_provider"],
            sr.get("hours"), sr.get("external_hours"), sr.get("orgs_served"), sr.get("income")]


def to_csv(rows: list[dict]) -> bytes:
    return exports.to_csv([column_titles(), COLUMNS, *(flat(row) for row in rows)])


def to_xlsx(rows: list[dict], title: str) -> bytes:
    return exports.to_xlsx([column_titles(), COLUMNS, *(flat(row) for row in rows)], title)


def plan_figures(year: int) -> list[dict]:
    """The plan's figures from platform records; domains that have not landed show 0 and say why."""
    open_instruments = db.session.scalar(
        sa.select(sa.func.count()).select_from(Resource.__table__.join(Instrument.__table__))
        .where(Resource.__table__.c.status == "published", Instrument.__table__.c.bookable.is_(True))) or 0
    jl, je, prog = JournalLine.__table__, JournalEntry.__table__, Programme.__table__
    paid = dict(db.session.execute(
        sa.select(jl.c.account, sa.func.sum(jl.c.credit - jl.c.debit))
        .select_from(jl.join(je, je.c.id == jl.c.entry_id).join(prog, prog.c.id == jl.c.programme_id))
        .where(prog.c.year == year, sa.or_(jl.c.account == "user_subsidy_payable",
                                           sa.and_(jl.c.account == "provider_subsidy_payable",
                                                   je.c.kind == "settlement")))
        .group_by(jl.c.account)).all())
    from ..plan import plan_values
    reported = plan_values(year)
    not_yet = _("该业务尚未在平台上线，暂以 0 计")

    def figure(key, label, note, **extra):
        value = reported.get(key)
        return {"key": key, "label": label, "value": int(value or 0), "target": None,
                "note": note if value is not None else not_yet, **extra}

    alliance_target = current_app.config["CENSUS_PLAN_TARGETS"]["alliances"]
    return [
        {"key": "instruments_open", "label": _("开放共享的大型仪器（台）"), "value": int(open_instruments),
         "target": None, "note": _("已发布且可预约的仪器")},
        figure("alliances", _("校企联盟（个）"), _("每项三方确认的科技副总选派计为一个校企联盟"),
               target=alliance_target),
        figure("secondments", _("科技副总选派（人）"), _("三方均已确认的选派")),
        figure("contracts", _("登记技术合同（项）"), _("%(year)s 年认定登记且仍有效的技术合同", year=year)),
        figure("contract_amount", _("技术合同成交额"), _("%(year)s 年认定登记合同的成交额", year=year),
               money=True),
        {"key": "subsidy_user", "label": _("已付用户补贴"), "value": int(paid.get("user_subsidy_payable") or 0),
         "target": None, "note": _("账本：%(year)s 年度计划的用户补贴", year=year), "money": True},
        {"key": "subsidy_provider", "label": _("已结算管理单位补贴"),
         "value": int(paid.get("provider_subsidy_payable") or 0), "target": None,
         "note": _("账本：%(year)s 年度计划的期间结算", year=year), "money": True},
    ]


def dashboard(year: int) -> dict:
    """Everything the /census page draws, as plain JSON-able data (charts and tables share it)."""
    check_year(year)
    by_city = census(year, "city")
    by_type = census(year, "type")
    by_inst = [r for r in census(year, "instrument") if r.quota_seconds]
    ranked = sorted(by_inst, key=lambda r: (-(r.used_seconds / r.quota_seconds), r.key))
    total = totals(by_city)
    total.orgs_served = orgs_served_total(year)
    return {
        "year": year,
        "total": total.as_dict(),
        "by_city": [r.as_dict() for r in by_city],
        "by_type": [r.as_dict() for r in by_type],
        "months": monthly(year),
        "top": [r.as_dict() for r in ranked[:10]],
        "bottom": [r.as_dict() for r in ranked[-10:][::-1]] if len(ranked) > 10 else [],
        "plan": plan_figures(year),
    }
