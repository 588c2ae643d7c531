"""Rating a completed booking's service, and the averages shown on instrument and provider pages."""
import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ...core.errors import Conflict, Forbidden
from ...core.permissions import require_login
from ...core.schema import text, validated, whole
from ...extensions import db
from ..models import Rating


@validated
def rate_booking(booking, score: whole(1, 5), comment: text(1000) | None = "", *, actor) -> Rating:
    require_login(actor)
    if booking.user_id != actor.id:
        raise Forbidden(_("只有预约人可以评价"))
    if booking.status not in ("completed", "settled"):
        raise Conflict(_("使用完成后才能评价"))
    comment = comment or ""
    if db.session.scalar(db.select(Rating.id).where(Rating.booking_id == booking.id)) is not None:
        raise Conflict(_("该预约已评价"))
    rating = Rating(booking_id=booking.id, instrument_id=booking.instrument_id,
                    provider_org_id=booking.provider_org_id, user_id=actor.id, score=score, comment=comment)
    try:
        with db.session.begin_nested():
            db.session.add(rating)
            db.session.flush()
    except IntegrityError:
        raise Conflict(_("该预约已评价")) from None
    return rating


def rating_summary(*, instrument_id=None, provider_org_id=None) -> tuple[float | None, int]:
    q = db.select(sa.func.avg(Rating.score), sa.func.count(Rating.id))
    if instrument_id is not None:
        q = q.where(Rating.instrument_id == instrument_id)
    if provider_org_id is not None:
        q = q.where(Rating.provider_org_id == provider_org_id)
    avg, count = db.session.execute(q).one()
    return (round(float(avg), 1) if avg is not None else None), count
