"""The booking purpose: paying a completed booking's payable, or a late-cancellation / no-show fee.

On success the booking is settled (the subsidy committed by the booking's own settlement) or its
fee recorded as the provider's income, and the payment entry is posted; on refund the user subsidy
goes back to the budget (`subsidy.services.refund_user_subsidy`), so does the provider subsidy
already settled on it (`subsidy.services.settlement.reverse_provider_subsidy`), and the booking becomes
`refunded`; or the provider gives a cancellation fee back.
"""
import logging

import sqlalchemy as sa
from flask_babel import gettext as _

from ... import ledger
from ...booking import services as booking_services
from ...booking.models import Booking
from ...core.errors import Conflict
from ...extensions import db
from ...ledger import Cr, Dr
from ...subsidy import services as subsidy_services
from ...subsidy.services.settlement import reverse_provider_subsidy
from .. import purposes
from .lookups import FEE_STATUSES, reload, require_payer

log = logging.getLogger(__name__)


class BookingPurpose:
    name = "booking"
    model = Booking
    refundable = True

    def require_payer(self, booking, *, actor):
        require_payer(booking, actor=actor)

    def lock(self, booking):
        # OF bookings: the booking's eager-loaded joins must not be locked (PostgreSQL refuses an outer join)
        return db.session.execute(sa.select(Booking).where(Booking.id == booking.id).with_for_update(of=Booking)
                                  .execution_options(populate_existing=True)).scalar_one()

    def check_payable(self, booking):
        held = purposes.held(booking)
        if held:
            raise Conflict(held)
        if booking.status == "settled" or (booking.status in FEE_STATUSES and booking.cancel_fee_paid_at):
            raise Conflict(_("该预约已付款"))
        if booking.status in FEE_STATUSES and not booking.amount_due:
            raise Conflict(_("该预约无需付款"))
        if booking.status not in ("completed", *FEE_STATUSES):
            raise Conflict(_("使用记录登记后才能付款"))

    def amount_due(self, booking) -> int:
        return booking.amount_due

    def settle_without_payment(self, booking, *, actor):
        booking_services.settle_booking(booking, f"subsidy-{booking.id}", actor=actor)

    def key_prefix(self, booking) -> str:
        return f"pay-{booking.id}"

    def metadata(self, booking) -> dict:
        return {"booking_id": booking.id}

    def unavailable_message(self) -> str:
        return _("支付网关暂时无法连接，预约仍待支付，请稍后再试")

    def succeeded(self, payment, *, actor):
        """Settle the booking (or record its fee as the provider's income) and post the payment entry."""
        booking = reload(Booking, payment.booking_id)
        if booking.amount_due != payment.amount:
            # Paid twice or the amount changed under us: keep the money traceable and refund it.
            log.error("payment %s succeeded but booking %s is %s (owes %s)", payment.id, booking.id,
                      booking.status, booking.amount_due)
            raise Conflict(_("付款与预约状态不一致，请联系平台"))
        if booking.status == "completed":
            booking_services.settle_booking(booking, payment.payment_intent_id, actor=actor, payment_id=payment.id)
        else:  # a late-cancellation or no-show fee: the provider's income, with no subsidy
            booking_services.record_cancel_fee_paid(booking, payment.payment_intent_id, actor=actor)
            ledger.post_entry("provider_income", [Dr("user_receivable", payment.amount, booking.org_id),
                                                  Cr("provider_payable", payment.amount, booking.provider_org_id)],
                              booking_id=booking.id, payment_id=payment.id, actor=actor,
                              memo=f"预约 #{booking.id} 取消/爽约费用")
        ledger.post_entry("payment", [Dr("gateway_clearing", payment.amount, booking.org_id),
                                      Cr("user_receivable", payment.amount, booking.org_id)],
                          programme_id=ledger.programme_of_booking(booking.id), booking_id=booking.id,
                          payment_id=payment.id, actor=actor,
                          memo=f"预约 #{booking.id} 付款 {payment.payment_intent_id}")

    def refund_refusal(self, payment) -> str | None:
        return None  # a booking's payment is refunded whenever it succeeded (the refund desk's reason is kept)

    def refunded(self, payment, *, actor):
        """Return a booking's subsidy to the budget, or a cancellation fee to the payer."""
        booking = db.session.get(Booking, payment.booking_id)
        if booking.status in FEE_STATUSES:  # a cancellation fee: the provider gives its income back
            ledger.post_entry("refund", [Dr("provider_payable", payment.amount, booking.provider_org_id),
                                         Cr("gateway_clearing", payment.amount, booking.org_id)],
                              booking_id=booking.id, payment_id=payment.id, actor=actor,
                              memo=f"预约 #{booking.id} 取消费用退款")
        else:
            subsidy_services.refund_user_subsidy(booking, payment, actor=actor)
            reverse_provider_subsidy(booking, actor=actor)  # when its period was already settled
            if booking.status == "settled":
                booking_services.mark_refunded(booking, actor=actor, comment=payment.refund_id)
