"""Who may broker: the check the trading platform uses."""
import sqlalchemy as sa

from ...extensions import db
from ..models import Firm, FirmManager


def active_broker_firm(user) -> Firm | None:
    """The firm in which `user` is an active technology manager (firm approved: not suspended or
    revoked), or None. A manager is matched by account, or by e-mail until the account is linked, and
    then only once the account proved it reaches that address: registering under a listed manager's
    e-mail gives no broker powers until the mailbox's owner verified it (the filing's invitation)."""
    if user is None or not getattr(user, "is_authenticated", False) or getattr(user, "id", None) is None:
        return None
    verified = getattr(user, "email_verified_at", None) is not None
    email = (getattr(user, "email", "") or "").lower() if verified else ""
    return db.session.scalar(
        sa.select(Firm).join(FirmManager, FirmManager.firm_id == Firm.id)
        .where(Firm.status == "approved", FirmManager.active.is_(True),
               sa.or_(FirmManager.user_id == user.id, sa.and_(FirmManager.email == email, email != "")))
        .limit(1))


def is_active_broker(user) -> bool:
    return active_broker_firm(user) is not None
