"""Who may broker: an active technology manager of an approved, not suspended firm (filing domain)."""
from flask import current_app


def active_broker_firm(user):
    """The firm `user` may broker for (an active manager of an approved firm), or None."""
    from ...filing.services import active_broker_firm as filing_rule
    return filing_rule(user)


def is_broker(user) -> bool:
    return active_broker_firm(user) is not None


def firm_commission_bp(firm) -> int:
    """The firm's commission rate in basis points: its own row (set by finance), else TRADING_COMMISSION_BP."""
    from ...extensions import db
    from ..models import FirmCommission
    if firm is None:
        return 0
    row = db.session.get(FirmCommission, firm.id)
    return row.basis_points if row is not None else int(current_app.config["TRADING_COMMISSION_BP"])


def set_firm_commission(firm, basis_points: int, *, actor):
    """Finance sets a broker firm's commission rate (0–10000 basis points); audited."""
    from flask_babel import gettext as _

    from ...core.audit import record
    from ...core.errors import Invalid
    from ...core.permissions import require_role
    from ...extensions import db
    from ..models import FirmCommission
    require_role(actor, "finance")
    if isinstance(basis_points, bool) or not isinstance(basis_points, int) or not 0 <= basis_points <= 10000:
        raise Invalid.field("basis_points", _("费率应为 0 到 10000 个基点"))
    row = db.session.get(FirmCommission, firm.id)
    if row is None:
        row = FirmCommission(firm_id=firm.id, basis_points=basis_points)
        db.session.add(row)
    else:
        row.basis_points = basis_points
    record("firm_commission", firm.id, "set", actor, comment=str(basis_points))
    db.session.flush()
    return row
