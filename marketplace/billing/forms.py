"""Billing forms: closing a month, importing a statement, the finance queue."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


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


class InvoiceForm(FlaskForm):
    """A 发票 request; builds the API's InvoiceIn, so the rules are checked in one place."""

    kind = SelectField(_l("发票类型"), choices=[("normal", _l("增值税普通发票")), ("special", _l("增值税专用发票"))])
    title = StringField(_l("发票抬头（单位名称）"), validators=[DataRequired(message=_l("请填写发票抬头")), Length(max=200)])
    tax_number = StringField(_l("纳税人识别号（统一社会信用代码）"),
                             validators=[DataRequired(message=_l("请填写纳税人识别号")), Length(max=30)])
    address_phone = StringField(_l("地址、电话（专票必填）"), validators=[Optional(), Length(max=200)])
    bank_account = StringField(_l("开户行及账号（专票必填）"), validators=[Optional(), Length(max=200)])

    def payload(self, bill_id: int | None = None, instalment_id: int | None = None):
        from .schemas import InvoiceIn
        return InvoiceIn(bill_id=bill_id, instalment_id=instalment_id, kind=self.kind.data, title=self.title.data or "",
                         tax_number=self.tax_number.data or "", address_phone=self.address_phone.data or None,
                         bank_account=self.bank_account.data or None)


class IssueInvoiceForm(FlaskForm):
    number = StringField(_l("发票号码"), validators=[DataRequired(message=_l("请填写发票号码")), Length(max=20)],
                         render_kw={"inputmode": "numeric"})
    issued_on = DateField(_l("开票日期"), validators=[DataRequired(message=_l("请填写开票日期"))])
    file = FileField(_l("发票 PDF（可选）"))


class RedInvoiceForm(FlaskForm):
    number = StringField(_l("红字发票号码"), validators=[DataRequired(message=_l("请填写发票号码")), Length(max=20)],
                         render_kw={"inputmode": "numeric"})
    issued_on = DateField(_l("红字发票日期"), validators=[DataRequired(message=_l("请填写开票日期"))])
    reason = TextAreaField(_l("原因"), validators=[DataRequired(message=_l("请填写原因")), Length(max=300)],
                           render_kw={"rows": 2, "maxlength": 300})
