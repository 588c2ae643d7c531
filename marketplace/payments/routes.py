"""The checkout page: pay a completed booking (or a late-cancellation / no-show fee) by card."""
from decimal import Decimal

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..booking.services import get_booking
from ..core.errors import Invalid
from ..core.money import format_fen, to_fen
from ..core.pagination import Pages, page_args
from ..core.permissions import require_role
from ..core.uow import unit_of_work
from . import purposes, services
from .card_page import post_card, render_card_page
from .forms import CardTokenForm, RefundForm, RefundSearchForm
from .services import refund_desk as refund_service
from .states import status_label as payment_status_label

bp = Blueprint("payments", __name__, url_prefix="/payments")


@bp.route("/bookings/<int:booking_id>/checkout", methods=["GET", "POST"])
@login_required
def checkout(booking_id):
    """Pay by card through the gateway's script (payments.card_page): the platform gets the card's id only."""
    booking = get_booking(booking_id, actor=current_user)
    form = CardTokenForm()
    status = 200
    if request.method == "POST":
        work, payment = post_card(form, lambda card: services.pay_with_payment_method(
            booking, actor=current_user, payment_method=card))
        if work.committed:
            if payment is None or payment.status == "succeeded":
                flash(_("付款成功"), "success")
                return redirect(url_for("payments.receipt", booking_id=booking_id))
            else:
                flash(_("付款处理中，结果确认后将自动结算"), "info")
            return redirect(url_for("booking.detail", booking_id=booking_id))
        status = work.error.status
        booking = get_booking(booking_id, actor=current_user)
    return render_card_page("payments/checkout.html", status, b=booking, form=form,
                            can_pay="pay" in services.allowed_actions(booking, actor=current_user),
                            held=purposes.held(booking), payments=services.payments_of(booking))


@bp.route("/bookings/<int:booking_id>/receipt")
@login_required
def receipt(booking_id):
    """The receipt of a paid booking (amount, subsidy, payment id, date), printable."""
    booking = get_booking(booking_id, actor=current_user)
    return render_template("payments/receipt.html", r=services.receipt_of(booking, actor=current_user))


# -- the refund desk (finance) ---------------------------------------------------------------------

@bp.route("/refunds")
@login_required
def refunds():
    """Paid bookings' payments that finance may refund, and the refunds made (when, by whom, why)."""
    require_role(current_user, "finance")
    form = RefundSearchForm(request.args)
    page, per_page = page_args(request.args)
    if not form.validate():
        return render_template("payments/refunds.html", form=form, candidates=[], done=[],
                               pages=Pages(1, per_page, 0)), 422
    booking_id = form.booking_id.data
    candidates, total = refund_service.refundable(actor=current_user, booking_id=booking_id, page=page,
                                                  per_page=per_page)
    done, _total = refund_service.history(actor=current_user, booking_id=booking_id, per_page=50)
    return render_template("payments/refunds.html", form=form, candidates=candidates, done=done,
                           pages=Pages(page, per_page, total))


@bp.route("/refunds/<int:payment_id>", methods=["GET", "POST"])
@login_required
def refund(payment_id):
    """Refund one payment: amount (the whole payment) and a reason, confirmed by name and amount."""
    payment = refund_service.refundable_payment(payment_id, actor=current_user)
    form = RefundForm()
    if request.method == "GET":
        form.amount.data = Decimal(payment.amount) / 100
        return render_template("payments/refund.html", payment=payment, form=form, payment_status=payment_status_label)
    with unit_of_work(form) as work:
        if not form.validate_on_submit():
            raise Invalid(_("退款信息有误"), {k: list(v) for k, v in form.errors.items()})
        payment = refund_service.refund(payment_id, to_fen(form.amount.data), form.reason.data, actor=current_user)
    if work.committed:
        flash(_("已退款 %(amount)s（预约 #%(booking)s）", amount=format_fen(payment.amount),
                booking=payment.booking_id), "success")
        return redirect(url_for("payments.refunds"))
    payment = refund_service.refundable_payment(payment_id, actor=current_user)
    return render_template("payments/refund.html", payment=payment, form=form, payment_status=payment_status_label), work.error.status
