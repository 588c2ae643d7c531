"""Payment forms."""
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from ..core.timeutil import to_local, utcnow
from . import rules


class CardForm(FlaskForm):
    number = StringField(_l("卡号"), validators=[DataRequired(), Length(min=16, max=19)],
                         render_kw={"autocomplete": "cc-number", "inputmode": "numeric"})
    exp_month = IntegerField(_l("有效期（月）"), validators=[DataRequired(), NumberRange(min=1, max=12)],
                             render_kw={"autocomplete": "cc-exp-month", "inputmode": "numeric", "placeholder": "MM"})
    exp_year = IntegerField(_l("有效期（年）"), validators=[DataRequired(), NumberRange(min=0, max=2100)],
                            render_kw={"autocomplete": "cc-exp-year", "inputmode": "numeric", "placeholder": "YYYY"})
    cvc = StringField(_l("安全码"), validators=[DataRequired(), Length(min=3, max=3)], render_kw={"autocomplete": "cc-csc"})

    def validate_exp_year(self, field):
        """An expired card is refused here, next to the field, before the gateway is called."""
        month = self.exp_month.data
        if not isinstance(month, int) or not 1 <= month <= 12:
            return  # the month's own error says it
        error = rules.expiry_error(month, field.data, to_local(utcnow()).date())
        if error:
            raise ValidationError(_(error[1], m=month, y=rules.full_year(field.data)))


    def forget_card(self):
        """Never send a card's number or security code back in a page (after a decline or an error)."""
        for field in (self.number, self.cvc):
            field.data, field.raw_data = None, []


class RefundForm(FlaskForm):
    """Amount in yuan (the whole payment by default) and a reason."""

    amount = DecimalField(_l("退款金额（元）"), places=2, validators=[DataRequired(message=_l("请填写退款金额")),
                                                               NumberRange(min=Decimal("0.01"), max=10**13,
                                                                           message=_l("金额无效"))])
    reason = TextAreaField(_l("退款原因"), render_kw={"maxlength": 300, "required": True, "rows": 3})


class RefundSearchForm(FlaskForm):
    class Meta:
        csrf = False

    booking_id = IntegerField(_l("预约编号"), validators=[Optional(), NumberRange(min=1, max=2**31 - 1,
                                                                               message=_l("预约编号无效"))])
