"""The open-sharing evaluation of managing units, and applying its grades to a subsidy programme.

Every fact is counted by the database (GROUP BY organisation); the score is the pure
`rules.score` with the configured weights, targets and grade thresholds.
"""
import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ...accounts.models import Organisation, User
from ...booking.models import Booking, Rating
from ...catalog.models import Instrument, Resource
from ...core import audit
from ...core.db import find
from ...core.errors import NotFound
from ...core.permissions import require_role
from ...extensions import db
from ...subsidy.models import Programme, ProviderGrade
from .. import rules
from .census import CENSUS_STATUSES, census, check_year, tune_for_aggregates

res = Resource.__table__
ins = Instrument.__table__
bk = Booking.__table__


def _counts(q) -> dict:
    return {k: tuple(int(v or 0) for v in vals) for k, *vals in db.session.execute(q)}


def unit_facts(year: int) -> dict[int, rules.UnitFacts]:
    lo, hi = rules.year_bounds(year)
    managed = sa.and_(res.c.type == "instrument", res.c.status.in_(CENSUS_STATUSES))
    owned = _counts(sa.select(res.c.owner_org_id, sa.func.count(),
                              sa.func.sum(sa.case((sa.and_(res.c.status == "published", ins.c.bookable.is_(True)), 1),
                                                  else_=0)))
                    .select_from(res.join(ins, ins.c.id == res.c.id)).where(managed).group_by(res.c.owner_org_id))
    staff = _counts(sa.select(User.organisation_id, sa.func.count()).where(User.active.is_(True),
                                                                           User.organisation_id.is_not(None))
                    .group_by(User.organisation_id))
    tune_for_aggregates()
    booked = _counts(sa.select(bk.c.provider_org_id, sa.func.count(),
                               sa.func.sum(sa.case((bk.c.decided_at.is_not(None), 1), else_=0)),
                               sa.func.sum(sa.case((bk.c.status.in_(("completed", "settled")), 1), else_=0)))
                     .where(bk.c.start >= lo, bk.c.start < hi).group_by(bk.c.provider_org_id))
    rated = _counts(sa.select(Rating.provider_org_id, sa.func.sum(Rating.score), sa.func.count())
                    .where(Rating.created_at >= lo, Rating.created_at < hi).group_by(Rating.provider_org_id))
    usage = {r.key: r for r in census(year, "org")}
    facts = {}
    for org_id in set(owned) | {k for k, r in usage.items() if r.used_seconds}:
        n, open_n = owned.get(org_id, (0, 0))
        b, answered, finished = booked.get(org_id, (0, 0, 0))
        u = usage.get(org_id)
        s, c = rated.get(org_id, (0, 0))
        facts[org_id] = rules.UnitFacts(
            org_id=org_id, instruments=n, open_instruments=open_n, staff=staff.get(org_id, (0,))[0],
            bookings=b, answered=answered, finished=finished,
            quota_seconds=u.quota_seconds if u else 0, used_seconds=u.used_seconds if u else 0,
            external_seconds=u.external_seconds if u else 0, orgs_served=u.orgs_served if u else 0,
            rating_sum=s, rating_count=c)
    return facts


def evaluate(year: int) -> list[dict]:
    """[{org_id, name, score, grade, provider_grade, points: {indicator: points}}], best first."""
    check_year(year)
    cfg = current_app.config
    weights, targets, thresholds = cfg["CENSUS_EVAL_WEIGHTS"], cfg["CENSUS_EVAL_TARGETS"], cfg["CENSUS_GRADE_THRESHOLDS"]
    facts = unit_facts(year)
    names = dict(db.session.execute(sa.select(Organisation.id, Organisation.name)
                                    .where(Organisation.id.in_(list(facts)))).all()) if facts else {}
    out = []
    for org_id, f in facts.items():
        total, points = rules.score(f, weights, targets)
        g = rules.grade(total, thresholds)
        out.append({"org_id": org_id, "name": names.get(org_id, ""), "score": total, "grade": g,
                    "provider_grade": rules.GRADE_TO_PROVIDER[g], "points": points})
    return sorted(out, key=lambda r: (-r["score"], r["org_id"]))


def get_programme(programme_id) -> Programme:
    prog = find(Programme, programme_id)
    if prog is None:
        raise NotFound(_("没有这个补贴计划"))
    return prog


def apply_grades(prog: Programme, *, actor, year: int | None = None) -> dict:
    """Finance sets the programme's provider grades (A/B/C/D) from the evaluation of `year`
    (default: the programme's year), in one step audited on the programme."""
    require_role(actor, "finance")
    year = check_year(prog.year if year is None else year)
    rows = evaluate(year)
    current = {g.org_id: g for g in db.session.scalars(
        sa.select(ProviderGrade).where(ProviderGrade.programme_id == prog.id))}
    changed = 0
    for row in rows:
        grade = row["provider_grade"]
        existing = current.get(row["org_id"])
        if existing is None:
            db.session.add(ProviderGrade(programme_id=prog.id, org_id=row["org_id"], grade=grade))
        elif existing.grade != grade:
            existing.grade = grade
        else:
            continue
        changed += 1
        audit.record("subsidy_programme", prog.id, "grade", actor=actor,
                     from_state=existing.grade if existing else None, to_state=grade,
                     comment=f"org {row['org_id']}: {grade} (census {year} score {row['score']})")
    db.session.flush()
    summary = {g: sum(1 for r in rows if r["provider_grade"] == g) for g in "ABCD"}
    audit.record("subsidy_programme", prog.id, "census_grades", actor=actor,
                 comment=f"census {year}: {len(rows)} units, {changed} changed, "
                         + ", ".join(f"{g} {n}" for g, n in summary.items()))
    return {"programme_id": prog.id, "year": year, "units": len(rows), "changed": changed, "grades": summary}
