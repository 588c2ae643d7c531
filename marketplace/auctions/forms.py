"""Auction forms: the terms, a registration, a bid, a review, a recorded refund."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..core.money import parse_yuan
from ..core.timeutil import LOCAL_TZ
from .schemas import AuctionTermsIn
from .states import FALLBACK_MODES


class YuanField(StringField):
    """Yuan with up to two decimals, kept as typed; `fen` after validation."""

    def pre_validate(self, form):
        self.fen = None
        if self.data:
            from ..core.errors import Invalid
            try:
                self.fen = parse_yuan(self.data, self.name)
            except Invalid as err:
                raise ValueError(err.detail) from None


class AuctionTermsForm(FlaskForm):
    starting_price = YuanField(_l("起始价（元）"), validators=[DataRequired(message=_l("请填写起始价"))],
                               render_kw={"inputmode": "decimal"})
    increment = YuanField(_l("加价幅度（元）"), validators=[DataRequired(message=_l("请填写加价幅度"))],
                          render_kw={"inputmode": "decimal"})
    deposit = YuanField(_l("保证金（元，空为起始价的 10%）"), validators=[Optional()], render_kw={"inputmode": "decimal"})
    registration_deadline = DateTimeLocalField(_l("报名截止时间"), validators=[DataRequired(message=_l("请填写时间"))])
    starts_at = DateTimeLocalField(_l("竞价开始时间"), validators=[DataRequired(message=_l("请填写时间"))])
    ends_at = DateTimeLocalField(_l("竞价结束时间"), validators=[DataRequired(message=_l("请填写时间"))])
    extension_minutes = IntegerField(_l("延时周期（分钟）"), default=5,
                                     validators=[DataRequired(), NumberRange(min=1, max=60)])
    fallback_mode = SelectField(_l("流拍后的挂牌方式"), choices=[(k, _l(v)) for k, v in FALLBACK_MODES.items()])

    def values(self) -> AuctionTermsIn:
        """The terms as the API takes them (times typed in Beijing time)."""
        def aware(dt):
            return dt.replace(tzinfo=LOCAL_TZ)
        return AuctionTermsIn(starting_price=self.starting_price.fen, increment=self.increment.fen,
                              deposit=self.deposit.fen, registration_deadline=aware(self.registration_deadline.data),
                              starts_at=aware(self.starts_at.data), ends_at=aware(self.ends_at.data),
                              extension_minutes=self.extension_minutes.data, fallback_mode=self.fallback_mode.data)


class BidForm(FlaskForm):
    amount = YuanField(_l("出价（元）"), validators=[DataRequired(message=_l("请填写出价"))],
                       render_kw={"inputmode": "decimal", "autocomplete": "off"})


class RegisterForm(FlaskForm):
    pass


class ReviewForm(FlaskForm):
    decision = SelectField(_l("审核结果"), choices=[("approve", _l("通过")), ("reject", _l("退回"))])
    reason = TextAreaField(_l("退回原因"), validators=[Optional(), Length(max=500)], render_kw={"rows": 2})


class RefundForm(FlaskForm):
    reference = StringField(_l("退款银行流水号"), validators=[Optional(), Length(max=100)])
