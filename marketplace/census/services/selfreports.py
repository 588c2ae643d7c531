"""Self-reported yearly figures of use off the platform: entered by providers, read by reviewers."""
import sqlalchemy as sa
from flask_babel import gettext as _

from ...catalog.models import Instrument
from ...core import audit
from ...core.db import find
from ...core.errors import Forbidden, Invalid, NotFound
from ...core.permissions import require_login
from ...core.schema import Year, text, validated, whole
from ...extensions import db
from ..models import MAX_YEAR_HOURS, SelfReport
from .census import check_year

MAX_INCOME = 10**13  # ¥100 billion in fen: far above any instrument's yearly income


def get_instrument(instrument_id) -> Instrument:
    inst = find(Instrument, instrument_id)
    if inst is None or inst.type != "instrument":
        raise NotFound(_("没有这台仪器"))
    return inst


def can_report(inst, *, actor) -> bool:
    return bool(actor is not None and getattr(actor, "is_authenticated", False)
                and (actor.is_member_of(inst.owner_org_id) or actor.has_role("admin")))


def can_review(*, actor) -> bool:
    return bool(actor is not None and getattr(actor, "is_authenticated", False)
                and any(actor.has_role(r) for r in ("reviewer", "finance", "admin")))


Hours = whole(0, MAX_YEAR_HOURS)


@validated
def save_self_report(inst: Instrument, *, actor, year: Year, hours: Hours, external_hours: Hours,
                     orgs_served: whole(0, 1_000_000), income: whole(0, MAX_INCOME),
                     note: text(1000) | None = "") -> SelfReport:
    """Create or replace the instrument's self-reported figures for the year (its provider only)."""
    require_login(actor)
    if not can_report(inst, actor=actor):
        raise Forbidden(_("只有仪器管理单位的成员可以填报"))
    if external_hours > hours:
        raise Invalid.field("external_hours", _("对外服务机时不能多于总机时"))
    note = note or ""
    row = db.session.scalar(sa.select(SelfReport).where(SelfReport.instrument_id == inst.id,
                                                        SelfReport.year == year))
    action = "update" if row else "create"
    if row is None:
        row = SelfReport(instrument_id=inst.id, year=year)
        db.session.add(row)
    row.org_id = inst.owner_org_id
    row.hours, row.external_hours, row.orgs_served, row.income, row.note = \
        hours, external_hours, orgs_served, income, note
    row.created_by_id = actor.id
    db.session.flush()
    audit.record("census_self_report", row.id, action, actor=actor,
                 comment=f"{year}: {hours} h, {external_hours} h external, {orgs_served} orgs, {income} fen")
    return row


def list_self_reports(*, actor, year: int | None = None, org_id: int | None = None,
                      instrument_id: int | None = None, limit: int = 500) -> list[SelfReport]:
    """Reviewers see every report; a provider sees its own organisation's."""
    require_login(actor)
    q = sa.select(SelfReport).order_by(SelfReport.year.desc(), SelfReport.org_id, SelfReport.instrument_id)
    if not can_review(actor=actor):
        if actor.organisation_id is None:
            raise Forbidden(_("只有审核员或仪器管理单位可以查看"))
        if org_id is not None and org_id != actor.organisation_id:
            raise Forbidden(_("不能查看其他单位的填报"))
        org_id = actor.organisation_id
    if year is not None:
        q = q.where(SelfReport.year == check_year(year))
    if org_id is not None:
        q = q.where(SelfReport.org_id == org_id)
    if instrument_id is not None:
        q = q.where(SelfReport.instrument_id == instrument_id)
    return list(db.session.scalars(q.limit(limit)))


def self_reported_by(group_by: str, year: int) -> dict:
    """key -> summed self-reported figures (public totals, shown beside the computed ones)."""
    from ...catalog.models import Resource
    res = Resource.__table__
    ins = Instrument.__table__
    sr = SelfReport.__table__
    key = {"instrument": sr.c.instrument_id, "org": sr.c.org_id, "city": res.c.city,
           "type": sa.func.coalesce(ins.c.category_l1, "")}[group_by]
    q = (sa.select(key, sa.func.sum(sr.c.hours), sa.func.sum(sr.c.external_hours),
                   sa.func.sum(sr.c.orgs_served), sa.func.sum(sr.c.income))
         .select_from(sr.join(res, res.c.id == sr.c.instrument_id).join(ins, ins.c.id == sr.c.instrument_id))
         .where(sr.c.year == year).group_by(key))
    return {k: {"hours": int(h or 0), "external_hours": int(e or 0), "orgs_served": int(o or 0),
                "income": int(i or 0)} for k, h, e, o, i in db.session.execute(q)}
