"""Demo data of the subsidy domain: the 2026 programme and the providers' evaluation grades."""
import sqlalchemy as sa

from ..extensions import db
from .models import ProviderGrade
from .services import new_programme, programme_for_year

DEMO_YEAR = 2026
DEMO_BUDGET = 5_000_000_000  # ¥50,000,000 in fen
GRADE_WEIGHTS = {"A": 30, "B": 40, "C": 20, "D": 10}


def seed_programme(rng):
    """Create the 2026 programme (defaults from config) and grade every instrument provider."""
    prog = programme_for_year(DEMO_YEAR)
    if prog is None:
        prog = new_programme(name=f"{DEMO_YEAR} 年度大型科学仪器共享双向补贴", year=DEMO_YEAR,
                             budget=DEMO_BUDGET, actor=None)
    from ..catalog.models import Resource
    providers = db.session.scalars(sa.select(Resource.owner_org_id).where(Resource.type == "instrument")
                                   .distinct().order_by(Resource.owner_org_id)).all()
    graded = set(db.session.scalars(sa.select(ProviderGrade.org_id).where(ProviderGrade.programme_id == prog.id)))
    letters, weights = list(GRADE_WEIGHTS), list(GRADE_WEIGHTS.values())
    rows = [{"programme_id": prog.id, "org_id": org_id, "grade": rng.choices(letters, weights)[0]}
            for org_id in providers if org_id not in graded]
    if rows:
        db.session.execute(sa.insert(ProviderGrade), rows)
    db.session.flush()
    return prog


def seed_subsidies(rng=None) -> int:
    """Give the demo bookings (inserted in bulk, without signals) the subsidy records the
    services would have made: reserve for approved ones, recompute for completed ones, commit
    (and record the user's payment) for settled ones. Returns how many bookings were handled."""
    from .. import ledger
    from ..booking.models import Booking
    from .models import Reservation
    from .services import commit_user_subsidy, recompute_user_subsidy, reserve_user_subsidy

    pending = db.session.scalars(
        sa.select(Booking).where(Booking.status.in_(("approved", "in_use", "completed", "settled")),
                                 ~sa.exists().where(Reservation.booking_id == Booking.id))
        .order_by(Booking.created_at, Booking.id)).all()
    for booking in pending:
        res = reserve_user_subsidy(booking)
        if booking.status in ("completed", "settled"):
            recompute_user_subsidy(booking)
        if booking.status == "settled":
            commit_user_subsidy(booking)
            if booking.payable:
                ledger.post_entry("payment", [ledger.Dr("gateway_clearing", booking.payable, booking.org_id),
                                              ledger.Cr("user_receivable", booking.payable, booking.org_id)],
                                  programme_id=getattr(res, "programme_id", None), booking_id=booking.id,
                                  memo=f"演示数据：预约 #{booking.id} 已付款")
    db.session.flush()
    return len(pending)
