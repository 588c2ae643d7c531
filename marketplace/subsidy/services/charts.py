"""The finance dashboard's chart figures: budget used month by month, by city, by provider grade.

"Used" is money committed out of the programme's budget: user subsidy committed at payment (by the
local month it was committed in) and provider subsidy awarded by period settlement (by the local
month the period ends in). Each figure is one GROUP BY or one row of sums; all in fen.
"""
from datetime import datetime, timedelta

import sqlalchemy as sa

from ...accounts.models import Organisation
from ...core.i18n import tr
from ...core.timeutil import local_to_utc_naive
from ...extensions import db
from ..models import GRADES, Programme, Reservation, Settlement, SettlementLine
from ..states import grade_label


def _month_bounds(year: int) -> list[tuple[datetime, datetime]]:
    starts = [local_to_utc_naive(datetime(year + (m > 12), (m - 1) % 12 + 1, 1)) for m in range(1, 14)]
    return list(zip(starts[:-1], starts[1:], strict=True))


def _sums_by_month(column, at, where, bounds) -> list[int]:
    cols = [sa.func.coalesce(sa.func.sum(sa.case(((at >= s) & (at < e), column), else_=0)), 0) for s, e in bounds]
    row = db.session.execute(sa.select(*cols).where(*where)).one()
    return [int(v or 0) for v in row]


def dashboard_charts(prog: Programme) -> dict:
    """{months: [{month, user, provider, used, cumulative}], by_city: [{city, reserved, committed}],
    by_grade: [{grade, label, units, income, awarded}], empty}."""
    bounds = _month_bounds(prog.year)
    user = _sums_by_month(Reservation.committed, Reservation.committed_at,
                          (Reservation.programme_id == prog.id, Reservation.status == "committed"), bounds)
    # a settlement's money is used in the month its period ends in: period_end is the (exclusive)
    # midnight after its last day, so month m takes the ends in (start of m, start of m + 1]
    tick = timedelta(microseconds=1)
    provider = _sums_by_month(Settlement.awarded, Settlement.period_end, (Settlement.programme_id == prog.id,),
                              [(s + tick, e + tick) for s, e in bounds])
    months, running = [], 0
    for i in range(12):
        used = user[i] + provider[i]
        running += used
        months.append({"month": i + 1, "user": user[i], "provider": provider[i], "used": used,
                       "cumulative": running})
    by_city = db.session.execute(
        sa.select(Organisation.city, sa.func.sum(Reservation.reserved), sa.func.sum(Reservation.committed))
        .join(Organisation, Organisation.id == Reservation.user_org_id)
        .where(Reservation.programme_id == prog.id).group_by(Organisation.city)
        .order_by(sa.func.sum(Reservation.reserved + Reservation.committed).desc(), Organisation.city)).all()
    by_grade = dict((g, (n, inc, aw)) for g, n, inc, aw in db.session.execute(
        sa.select(SettlementLine.grade, sa.func.count(sa.distinct(SettlementLine.org_id)),
                  sa.func.sum(SettlementLine.income), sa.func.sum(SettlementLine.awarded))
        .join(Settlement, Settlement.id == SettlementLine.settlement_id)
        .where(Settlement.programme_id == prog.id).group_by(SettlementLine.grade)))
    cities = [{"city": tr(c) or "", "reserved": int(r or 0), "committed": int(m or 0)} for c, r, m in by_city]
    grades = [{"grade": g, "label": f"{g} {grade_label(g)}", "units": int(by_grade.get(g, (0, 0, 0))[0]),
               "income": int(by_grade.get(g, (0, 0, 0))[1] or 0), "awarded": int(by_grade.get(g, (0, 0, 0))[2] or 0)}
              for g in GRADES]
    empty = running == 0 and not any(c["reserved"] or c["committed"] for c in cities) \
        and not any(g["units"] for g in grades)
    return {"months": months, "by_city": cities, "by_grade": grades, "empty": empty}
