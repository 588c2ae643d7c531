"""Trading forms. Money is typed in yuan and carried as int fen; dates are local dates."""
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    Field,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Length,
    Optional,
    ValidationError,
)
from wtforms.widgets import TextInput

from ..accounts.lookup import OrganisationField
from ..catalog.forms import OpenSelectField
from ..core.errors import Invalid
from ..core.i18n import lazy_tr
from ..core.money import format_fen, parse_yuan
from ..core.reference import CITIES
from .states import CANCEL_REASONS, CONTRACT_TYPES, MODES, SYSTEM_CANCEL_REASONS


class YuanField(Field):
    """An amount typed in yuan ('1,234.50'); `data` is int fen, or None when left empty."""

    widget = TextInput()

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return format_fen(self.data, symbol=False).replace(",", "") if self.data is not None else ""

    def process_formdata(self, valuelist):
        self.data = None
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            return
        try:
            self.data = parse_yuan(text, self.name)
        except Invalid as err:
            self.data = None
            raise ValueError(err.detail) from None


def _cities():
    return [(c, c) for c in CITIES]


class DemandForm(FlaskForm):
    title = StringField(_l("需求名称"), validators=[DataRequired(), Length(max=200)])
    summary = TextAreaField(_l("问题简述"), validators=[Optional(), Length(max=500)])
    description = TextAreaField(_l("详细描述"), validators=[Optional(), Length(max=20000)])
    field = OpenSelectField(_l("技术领域"))
    city = SelectField(_l("所在城市"), validators=[DataRequired()])
    budget_min = YuanField(_l("预算下限（元）"), validators=[Optional()])
    budget_max = YuanField(_l("预算上限（元）"), validators=[Optional()])
    deadline = DateField(_l("截止日期"), validators=[DataRequired()])
    notify_matches = BooleanField(_l("有新的匹配成果时通知我"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.city.choices = _cities()

    def values(self) -> dict:
        return {k: getattr(self, k).data if not isinstance(getattr(self, k).data, str)
                else getattr(self, k).data.strip()
                for k in ("title", "summary", "description", "field", "city", "budget_min", "budget_max", "deadline")}


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("理由"), validators=[DataRequired(), Length(max=2000)])


class DealForm(FlaskForm):
    mode = SelectField(_l("交易方式"), validators=[DataRequired()])
    amount = YuanField(_l("报价（元）"), validators=[DataRequired()])
    message = TextAreaField(_l("留言"), validators=[Optional(), Length(max=2000)])
    buyer_org_id = OrganisationField(_l("买方单位（经纪人填写）"))
    seller_org_id = OrganisationField(_l("卖方单位（经纪人填写）"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.mode.choices = [(k, lazy_tr(v)) for k, v in MODES.items()]


class OfferForm(FlaskForm):
    amount = YuanField(_l("还价（元）"), validators=[DataRequired()])
    message = TextAreaField(_l("留言"), validators=[Optional(), Length(max=2000)])


class ResolveForm(FlaskForm):
    decision = SelectField(_l("处理结果"), choices=[("dismiss", _l("异议不成立，继续公示")),
                                                   ("uphold", _l("异议成立，取消交易"))])
    comment = TextAreaField(_l("说明"), validators=[Optional(), Length(max=2000)])


class SignForm(FlaskForm):
    contract_type = SelectField(_l("合同类型"), validators=[DataRequired()])
    total_amount = YuanField(_l("合同成交额（元）"), validators=[DataRequired()])
    tech_amount = YuanField(_l("技术交易额（元）"), validators=[DataRequired()])
    instalments = TextAreaField(_l("付款计划（每行：到期日 金额，如 2026-12-31 50000）"),
                                validators=[DataRequired(), Length(max=3000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.contract_type.choices = [(k, lazy_tr(v)) for k, v in CONTRACT_TYPES.items()]

    def validate_instalments(self, field):
        rows = []
        for n, line in enumerate(row for row in field.data.splitlines() if row.strip()):
            parts = line.replace("，", " ").replace(",", " ").split()
            if len(parts) != 2:
                raise ValidationError(_l("第 %(n)s 行应为“到期日 金额”", n=n + 1))
            try:
                due = date.fromisoformat(parts[0])
                amount = parse_yuan(parts[1], "instalments")
            except (ValueError, Invalid):
                raise ValidationError(_l("第 %(n)s 行应为“到期日 金额”", n=n + 1)) from None
            rows.append((due, amount))
        if not rows:
            raise ValidationError(_l("请至少列出一期付款"))
        self.schedule = rows


class CancelForm(FlaskForm):
    reason_code = SelectField(_l("取消原因"), validators=[DataRequired()])
    comment = TextAreaField(_l("说明"), validators=[Optional(), Length(max=2000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason_code.choices = [(k, lazy_tr(v)) for k, v in CANCEL_REASONS.items() if k not in SYSTEM_CANCEL_REASONS]


class CommissionForm(FlaskForm):
    """Finance sets a broker firm's commission rate: a percentage with at most two decimals (1 basis point)."""

    percent = StringField(_l("佣金费率（%）"), validators=[DataRequired(), Length(max=10)],
                          description=_l("按每笔买方付款的百分比计，最多两位小数，例如 3 或 2.5"))
    effective_on = DateField(_l("生效日期"), validators=[DataRequired()])
    note = TextAreaField(_l("说明"), validators=[Optional(), Length(max=500)])

    def validate_percent(self, field):
        from flask import current_app
        self.basis_points = percent_to_bp(field.data)
        if self.basis_points is None:
            raise ValidationError(_l("请输入百分比数值，最多两位小数"))
        top = int(current_app.config["TRADING_COMMISSION_MAX_BP"])
        if self.basis_points > top:
            top = f"{top / 100:g}"
            raise ValidationError(_l("佣金费率不能超过 %(top)s%%", top=top))


def percent_to_bp(text) -> int | None:
    """'2.5' → 250 basis points exactly (no floats); None when it is not a number with ≤ 2 decimals."""
    import re
    text = (text or "").strip().rstrip("%").strip()
    m = re.fullmatch(r"(\d{1,5})(?:\.(\d{1,2}))?", text)
    if not m:
        return None
    return int(m.group(1)) * 100 + int((m.group(2) or "0").ljust(2, "0"))
