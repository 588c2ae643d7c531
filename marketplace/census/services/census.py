"""The census computed from platform records: one set-based query per figure, GROUP BY the key.

Used hours (有效工作机时) are the actual times of completed and settled bookings whose actual start
falls in the (local) year; cancelled, rejected and no-show bookings never count. A use is external
(对外服务) when the booking organisation and the instrument's managing unit are not related
(neither the same organisation nor under one parent). Income is the fee of those bookings; subsidies
come from the ledger: the user side per booking (user_subsidy_payable), the provider side per managing
unit (settlements' provider_subsidy_payable), both in the programme of the year.
"""
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ...accounts.models import Organisation
from ...booking.models import Blackout, Booking, BookingSettings, OpeningHours
from ...catalog.models import Instrument, Resource
from ...core.errors import Invalid
from ...core.schema import Year, validated
from ...extensions import db
from ...ledger.models import JournalEntry, JournalLine
from ...subsidy.models import Programme
from .. import rules
from .sql import month_case, seconds_between

USED_STATUSES = ("completed", "settled")

bk = Booking.__table__
res = Resource.__table__
ins = Instrument.__table__


@dataclass
class Row:
    key: object
    label: str = ""
    instruments: int = 0
    available_seconds: int = 0
    quota_seconds: int = 0
    used_seconds: int = 0
    external_seconds: int = 0
    orgs_served: int = 0
    income_internal: int = 0
    income_external: int = 0
    subsidy_user: int = 0
    subsidy_provider: int | None = 0
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "key": str(self.key), "label": self.label, "instruments": self.instruments,
            "available_hours": rules.hours(self.available_seconds),
            "quota_hours": rules.hours(self.quota_seconds),
            "used_hours": rules.hours(self.used_seconds),
            "external_hours": rules.hours(self.external_seconds),
            "utilisation": rules.ratio(self.used_seconds, self.quota_seconds),
            "share_rate": rules.ratio(self.external_seconds, self.used_seconds),
            "orgs_served": self.orgs_served,
            "income_internal": self.income_internal, "income_external": self.income_external,
            "subsidy_user": self.subsidy_user, "subsidy_provider": self.subsidy_provider,
            **self.extra,
        }


@validated
def check_year(year: Year) -> int:
    """The census year asked for (2000–2100), or Invalid naming "year"."""
    return year


def key_column(group_by: str):
    if group_by == "instrument":
        return res.c.id
    if group_by == "org":
        return res.c.owner_org_id
    if group_by == "city":
        return res.c.city
    if group_by == "type":
        return sa.func.coalesce(ins.c.category_l1, "")
    raise Invalid.field("group_by", _("分组应为 city、type、org 或 instrument"))


def tune_for_aggregates():
    """PostgreSQL: room for the hash aggregates in memory, and no JIT compile for one-off queries
    (both only for the current transaction)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("SET LOCAL work_mem = '128MB'"))
        db.session.execute(sa.text("SET LOCAL jit = off"))


def _usage_from(group_by: str | None):
    """The usage records joined to what the key needs, and the `external` expression: the booking
    organisation and the provider are not the same organisation nor under one parent. Only the
    few organisations that have a parent are joined (a small hash table)."""
    parents = (sa.select(Organisation.id, Organisation.parent_id)
               .where(Organisation.parent_id.is_not(None)).subquery())
    user_parent, prov_parent = parents.alias("up"), parents.alias("pp")
    external = (sa.func.coalesce(user_parent.c.parent_id, bk.c.org_id)
                != sa.func.coalesce(prov_parent.c.parent_id, bk.c.provider_org_id))
    joined = (bk.outerjoin(user_parent, user_parent.c.id == bk.c.org_id)
              .outerjoin(prov_parent, prov_parent.c.id == bk.c.provider_org_id))
    if group_by in ("org", "city", "type"):
        joined = joined.join(res, res.c.id == bk.c.instrument_id)
    if group_by == "type":
        joined = joined.join(ins, ins.c.id == bk.c.instrument_id)
    key = bk.c.instrument_id if group_by == "instrument" else key_column(group_by) if group_by else None
    return joined, external, key


def _used_in(lo, hi):
    # Machine hours are instruments' (a facility's bookings use the same engine but are no 机时).
    return sa.and_(bk.c.status.in_(USED_STATUSES), bk.c.actual_start >= lo, bk.c.actual_start < hi,
                   bk.c.actual_end.is_not(None), bk.c.actual_end > bk.c.actual_start,
                   bk.c.instrument_id.in_(sa.select(ins.c.id)))


def _per_org(year: int, group_by: str | None, extra=None):
    """Usage summed per (keys..., booking organisation, external): one scan, hash-aggregated.
    Distinct organisations served are then the external rows of the outer grouping, so no
    COUNT(DISTINCT) sort over the usage records is needed."""
    lo, hi = rules.year_bounds(year)
    joined, external, key = _usage_from(group_by)
    keys = ([key.label("k")] if key is not None else []) + ([extra.label("m")] if extra is not None else [])
    secs = seconds_between(bk.c.actual_start, bk.c.actual_end)
    inner = (sa.select(*keys, bk.c.org_id, external.label("ext"), sa.func.sum(secs).label("s"),
                       sa.func.sum(bk.c.fee).label("f"))
             .select_from(joined).where(_used_in(lo, hi))
             .group_by(*[k.element for k in keys], bk.c.org_id, external).subquery())
    ext = inner.c.ext
    outer_keys = [inner.c[k.name] for k in keys]
    tune_for_aggregates()
    return db.session.execute(
        sa.select(*outer_keys, sa.func.sum(inner.c.s), sa.func.sum(sa.case((ext, inner.c.s), else_=0)),
                  sa.func.sum(sa.case((ext, 0), else_=inner.c.f)), sa.func.sum(sa.case((ext, inner.c.f), else_=0)),
                  sa.func.sum(sa.case((ext, 1), else_=0)))
        .group_by(*outer_keys))


def usage_by(group_by: str, year: int) -> dict:
    """key -> (used s, external s, internal income, external income, distinct external orgs)."""
    key_column(group_by)
    return {k: tuple(int(v or 0) for v in vals) for k, *vals in _per_org(year, group_by)}


def monthly(year: int) -> list[dict]:
    """Used and external hours and external organisations served per month of the year."""
    month = month_case(bk.c.actual_start, rules.month_bounds(year))
    out = {m: (int(u or 0), int(e or 0), int(n or 0)) for m, u, e, _i, _x, n in _per_org(year, None, month)}
    return [{"month": m, "used_hours": rules.hours(out.get(m, (0, 0, 0))[0]),
             "external_hours": rules.hours(out.get(m, (0, 0, 0))[1]),
             "orgs_served": out.get(m, (0, 0, 0))[2]} for m in range(1, 13)]


# Instruments counted in the census (their quota and available hours): registered and not retired.
CENSUS_STATUSES = ("published", "offline", "pending_review")


def inventory(year: int) -> list[tuple]:
    """The instruments the census covers: published, taken offline for a while, or under review
    (drafts, rejected and archived ones are not in service). Rows (id, title, owner, city, category)."""
    q = (sa.select(res.c.id, res.c.title, res.c.owner_org_id, res.c.city, ins.c.category_l1)
         .select_from(res.join(ins, ins.c.id == res.c.id)).where(res.c.status.in_(CENSUS_STATUSES)))
    return list(db.session.execute(q))


def available_by_instrument(year: int, ids) -> dict[int, int]:
    """Available seconds of each instrument in the year: weekly opening hours (its own, or the
    configured default when it has no booking settings) minus the opening hours inside blackouts."""
    from ...booking.rules import parse_weekly_hours
    ids = list(ids)
    default = tuple(parse_weekly_hours(current_app.config["BOOKING_OPENING_HOURS"]))
    with_settings = set(db.session.scalars(sa.select(BookingSettings.instrument_id)))
    spans: dict[int, list] = {}
    for iid, wd, opens, closes in db.session.execute(
            sa.select(OpeningHours.instrument_id, OpeningHours.weekday, OpeningHours.opens, OpeningHours.closes)):
        spans.setdefault(iid, []).append((wd, opens, closes))
    lo, hi = rules.year_bounds(year)
    blackouts: dict[int, list] = {}
    for iid, s, e in db.session.execute(sa.select(Blackout.instrument_id, Blackout.start, Blackout.end)
                                        .where(Blackout.start < hi, Blackout.end > lo)):
        blackouts.setdefault(iid, []).append((s, e))
    cache: dict[tuple, int] = {}
    out = {}
    for iid in ids:
        weekly = tuple(sorted(spans.get(iid, ()))) if iid in with_settings else default
        if iid in blackouts:
            out[iid] = rules.available_seconds(weekly, year, blackouts[iid])
        else:
            if weekly not in cache:
                cache[weekly] = rules.available_seconds(weekly, year)
            out[iid] = cache[weekly]
    return out


def quota_seconds(category: str | None) -> int:
    cfg = current_app.config
    return rules.quota_hours(category, cfg["CENSUS_QUOTA_HOURS_BY_CATEGORY"], cfg["CENSUS_QUOTA_HOURS"]) * 3600


def user_subsidy_by(group_by: str, year: int) -> dict:
    """key -> net user subsidy (fen) booked to user_subsidy_payable for bookings, in the year's programme."""
    key = key_column(group_by)
    jl, je = JournalLine.__table__, JournalEntry.__table__
    prog = Programme.__table__
    q = (sa.select(key, sa.func.sum(jl.c.credit - jl.c.debit))
         .select_from(jl.join(je, je.c.id == jl.c.entry_id).join(prog, prog.c.id == jl.c.programme_id)
                      .join(bk, bk.c.id == je.c.booking_id).join(res, res.c.id == bk.c.instrument_id)
                      .join(ins, ins.c.id == bk.c.instrument_id))
         .where(jl.c.account == "user_subsidy_payable", prog.c.year == year).group_by(key))
    return {k: int(v or 0) for k, v in db.session.execute(q)}


def provider_subsidy_by_org(year: int) -> dict[int, int]:
    """org -> provider subsidy (fen) awarded by the settlements of the year's programme."""
    jl, je = JournalLine.__table__, JournalEntry.__table__
    prog = Programme.__table__
    q = (sa.select(jl.c.org_id, sa.func.sum(jl.c.credit - jl.c.debit))
         .select_from(jl.join(je, je.c.id == jl.c.entry_id).join(prog, prog.c.id == jl.c.programme_id))
         .where(jl.c.account == "provider_subsidy_payable", je.c.kind == "settlement", prog.c.year == year,
                jl.c.org_id.is_not(None))
         .group_by(jl.c.org_id))
    return {k: int(v or 0) for k, v in db.session.execute(q)}


def census(year: int, group_by: str = "city") -> list[Row]:
    """The census rows of a year grouped by city, type (instrument category), org or instrument."""
    check_year(year)
    key_column(group_by)
    instruments = inventory(year)
    available = available_by_instrument(year, (i[0] for i in instruments))
    rows: dict = {}
    owner_city = {}
    for iid, title, org_id, city, category in instruments:
        key = {"instrument": iid, "org": org_id, "city": city, "type": category or ""}[group_by]
        row = rows.get(key) or rows.setdefault(key, Row(key=key))
        row.instruments += 1
        row.available_seconds += available[iid]
        row.quota_seconds += quota_seconds(category)
        if group_by == "instrument":
            row.label = title
            row.extra = {"org_id": org_id, "city": city, "category": category or ""}
        owner_city[org_id] = city
    for key, (used, ext, inc_int, inc_ext, orgs) in usage_by(group_by, year).items():
        row = rows.get(key) or rows.setdefault(key, Row(key=key))
        row.used_seconds, row.external_seconds, row.orgs_served = used, ext, orgs
        row.income_internal, row.income_external = inc_int, inc_ext
    for key, amount in user_subsidy_by(group_by, year).items():
        (rows.get(key) or rows.setdefault(key, Row(key=key))).subsidy_user = amount
    provider = provider_subsidy_by_org(year)
    if group_by in ("instrument", "type"):  # settled per managing unit: not attributable to one instrument
        for row in rows.values():
            row.subsidy_provider = None
    elif provider:
        if group_by == "org":
            for org_id, amount in provider.items():
                (rows.get(org_id) or rows.setdefault(org_id, Row(key=org_id))).subsidy_provider = amount
        else:  # city: the managing unit's registered city
            cities = dict(db.session.execute(sa.select(Organisation.id, Organisation.city)
                                             .where(Organisation.id.in_(provider))).all())
            for org_id, amount in provider.items():
                city = cities.get(org_id)
                row = rows.get(city) or rows.setdefault(city, Row(key=city))
                row.subsidy_provider = (row.subsidy_provider or 0) + amount
    _label(rows, group_by)
    return sorted(rows.values(), key=_sort_key(group_by))


def _label(rows: dict, group_by: str):
    if group_by == "org" and rows:
        names = dict(db.session.execute(sa.select(Organisation.id, Organisation.name)
                                        .where(Organisation.id.in_(list(rows)))).all())
        for key, row in rows.items():
            row.label = names.get(key, str(key))
    elif group_by in ("city", "type"):  # reference data: named in the interface language
        from ...core.i18n import tr
        for key, row in rows.items():
            row.label = tr(str(key)) if key else ""


def _sort_key(group_by: str):
    from ...core.reference import CITIES
    order = list(CITIES)
    if group_by == "city":
        return lambda r: (order.index(r.key) if r.key in order else 99, str(r.key))
    if group_by in ("instrument", "org"):
        return lambda r: r.key
    return lambda r: str(r.key)


def totals(rows: list[Row]) -> Row:
    """The province's total of rows grouped by anything but org-distinct coverage (summed here)."""
    total = Row(key="total")
    for r in rows:
        for name in ("instruments", "available_seconds", "quota_seconds", "used_seconds", "external_seconds",
                     "income_internal", "income_external", "subsidy_user"):
            setattr(total, name, getattr(total, name) + getattr(r, name))
        if r.subsidy_provider is not None:
            total.subsidy_provider = (total.subsidy_provider or 0) + r.subsidy_provider
    return total


def orgs_served_total(year: int) -> int:
    """Distinct external organisations served anywhere in the province in the year."""
    lo, hi = rules.year_bounds(year)
    joined, external, _key = _usage_from(None)
    served = sa.select(bk.c.org_id).select_from(joined).where(_used_in(lo, hi), external).group_by(bk.c.org_id)
    tune_for_aggregates()
    return int(db.session.scalar(sa.select(sa.func.count()).select_from(served.subquery())) or 0)
