"""Payment forms."""
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, HiddenField, IntegerField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class CardTokenForm(FlaskForm):
    """What a card page posts: only the id of the card the gateway's script made, never the card."""

    payment_method = HiddenField(validators=[DataRequired(message=_l("请填写银行卡信息")), Length(max=80)])


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
