"""The checkout page: pay a completed booking by card."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange

from ..booking.services import get_booking
from ..core.errors import DomainError, Unavailable
from ..core.web import flash_error
from ..extensions import db
from . import services

bp = Blueprint("payments", __name__, url_prefix="/payments")


class CardForm(FlaskForm):
    number = StringField(_l("卡号"), validators=[DataRequired(), Length(min=16, max=19)],
                         render_kw={"autocomplete": "cc-number", "inputmode": "numeric"})
    exp_month = IntegerField(_l("有效期（月）"), validators=[DataRequired(), NumberRange(min=1, max=12)])
    exp_year = IntegerField(_l("有效期（年）"), validators=[DataRequired(), NumberRange(min=2000, max=2100)])
    cvc = StringField(_l("安全码"), validators=[DataRequired(), Length(min=3, max=3)], render_kw={"autocomplete": "cc-csc"})


@bp.route("/bookings/<int:booking_id>/checkout", methods=["GET", "POST"])
@login_required
def checkout(booking_id):
    booking = get_booking(booking_id, actor=current_user)
    form = CardForm()
    status = 200
    if form.validate_on_submit():
        try:
            payment = services.pay_with_card(booking, current_user, number=form.number.data,
                                             exp_month=form.exp_month.data, exp_year=form.exp_year.data,
                                             cvc=form.cvc.data)
            db.session.commit()
            if payment is None or payment.status == "succeeded":
                flash(_("付款成功"), "success")
            else:
                flash(_("付款处理中，结果确认后将自动结算"), "info")
            return redirect(url_for("booking.detail", booking_id=booking_id))
        except Unavailable as err:
            db.session.rollback()
            flash_error(err)
            status = 503
        except DomainError as err:
            db.session.rollback()
            flash_error(err, form)
            status = err.status
        booking = get_booking(booking_id, actor=current_user)
    elif form.errors:
        status = 422
    return render_template("payments/checkout.html", b=booking, form=form,
                           payments=services.payments_of(booking)), status
