"""The checkout page: pay a completed booking (or a late-cancellation / no-show fee) by card."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..booking.services import get_booking
from ..core.uow import unit_of_work
from . import services
from .forms import CardForm

bp = Blueprint("payments", __name__, url_prefix="/payments")


@bp.route("/bookings/<int:booking_id>/checkout", methods=["GET", "POST"])
@login_required
def checkout(booking_id):
    booking = get_booking(booking_id, actor=current_user)
    form = CardForm()
    status = 200
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            payment = services.pay_with_card(booking, actor=current_user, number=form.number.data,
                                             exp_month=form.exp_month.data, exp_year=form.exp_year.data,
                                             cvc=form.cvc.data)
        if work.committed:
            if payment is None or payment.status == "succeeded":
                flash(_("付款成功"), "success")
                return redirect(url_for("payments.receipt", booking_id=booking_id))
            else:
                flash(_("付款处理中，结果确认后将自动结算"), "info")
            return redirect(url_for("booking.detail", booking_id=booking_id))
        status = work.error.status
        booking = get_booking(booking_id, actor=current_user)
    elif form.errors:
        status = 422
    return render_template("payments/checkout.html", b=booking, form=form, can_pay="pay" in services.allowed_actions(
        booking, actor=current_user), payments=services.payments_of(booking)), status


@bp.route("/bookings/<int:booking_id>/receipt")
@login_required
def receipt(booking_id):
    """The receipt of a paid booking (amount, subsidy, payment id, date), printable."""
    booking = get_booking(booking_id, actor=current_user)
    return render_template("payments/receipt.html", r=services.receipt_of(booking, actor=current_user))
