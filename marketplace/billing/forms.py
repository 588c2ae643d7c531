"""Billing forms: the card hand-over, closing a month, importing a statement, the finance queue."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class CardTokenForm(FlaskForm):
    """What the card page posts: only the id of the card the gateway's script made, never the card."""

    payment_method = HiddenField(validators=[DataRequired(message=_l("请填写银行卡信息")), Length(max=80)])


class CloseMonthForm(FlaskForm):
    month = StringField(_l("账期（YYYY-MM）"), validators=[DataRequired(message=_l("请填写账期")), Length(max=7)],
                        render_kw={"placeholder": "2026-11", "inputmode": "numeric"})


class StatementForm(FlaskForm):
    file = FileField(_l("对账单文件"), validators=[DataRequired(message=_l("请选择对账单文件"))])
    format = SelectField(_l("格式"), choices=[("", _l("自动识别")), ("csv", "CSV"), ("camt053", "camt.053 XML")],
                         validators=[Optional()])


class AssignForm(FlaskForm):
    bill = StringField(_l("对账单编号或汇款识别码"), validators=[DataRequired(message=_l("请填写对账单编号或汇款识别码")),
                                                         Length(max=12)])
    note = StringField(_l("备注"), validators=[Optional(), Length(max=300)])


class ReturnForm(FlaskForm):
    note = TextAreaField(_l("退回说明"), validators=[DataRequired(message=_l("请填写退回说明")), Length(max=300)],
                         render_kw={"rows": 2, "maxlength": 300})


class CancelBillForm(FlaskForm):
    reason = TextAreaField(_l("作废原因"), validators=[DataRequired(message=_l("请填写作废原因")), Length(max=300)],
                           render_kw={"rows": 2, "maxlength": 300})
