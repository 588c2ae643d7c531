"""Forms of the subsidy pages. Amounts are typed in yuan and rates in percent; stored as fen / bp."""
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, DecimalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from ..core.money import to_fen
from .rules import VOUCHER_MAX
from .states import GRADES, PAYOUT_STATUSES, PERIODS

PERCENT = [NumberRange(min=0, max=100, message="0–100")]
YUAN = [NumberRange(min=0, max=10**13, message=_l("金额无效"))]


def grade_choices() -> list[tuple[str, LazyString]]:
    """A, B, C, D with their names in the interface language ("A 优秀")."""
    return [(g, LazyString(lambda g=g, label=label: f"{g} {label}")) for g, label in GRADES.items()]


def to_bp(value: Decimal | None) -> int:
    """Percent typed in a form → basis points (half up)."""
    return int((Decimal(value or 0) * 100).quantize(Decimal(1), ROUND_HALF_UP))


class ProgrammeForm(FlaskForm):
    name = StringField(_l("名称"), validators=[DataRequired(), Length(max=120)])
    year = IntegerField(_l("年度"), validators=[DataRequired(), NumberRange(min=2000, max=2100)])
    budget = DecimalField(_l("总预算（元）"), places=2, validators=[DataRequired()] + YUAN)
    active = BooleanField(_l("启用"), default=True)
    rate_default = DecimalField(_l("用户补贴比例（%）"), places=2, default=Decimal("20"), validators=PERCENT)
    rate_sme = DecimalField(_l("科技型中小企业比例（%）"), places=2, default=Decimal("30"), validators=PERCENT)
    rate_sme_high_tech = DecimalField(_l("高新技术中小企业比例（%）"), places=2, default=Decimal("40"), validators=PERCENT)
    booking_cap = DecimalField(_l("单次预约补贴上限（元）"), places=2, default=Decimal("20000"), validators=YUAN)
    org_year_cap = DecimalField(_l("单位年度补贴上限（元）"), places=2, default=Decimal("200000"), validators=YUAN)
    min_original_value = DecimalField(_l("仪器原值门槛（元）"), places=2, default=Decimal("300000"), validators=YUAN)
    provider_rate = DecimalField(_l("管理单位补贴比例（%）"), places=2, default=Decimal("20"), validators=PERCENT)
    grade_a = DecimalField(_l("A 级系数（%）"), places=2, default=Decimal("100"), validators=PERCENT)
    grade_b = DecimalField(_l("B 级系数（%）"), places=2, default=Decimal("80"), validators=PERCENT)
    grade_c = DecimalField(_l("C 级系数（%）"), places=2, default=Decimal("50"), validators=PERCENT)
    grade_d = DecimalField(_l("D 级系数（%）"), places=2, default=Decimal("0"), validators=PERCENT)
    ungraded = SelectField(_l("未评级单位按"), choices=lambda: grade_choices(), default="D")
    provider_unit_cap = DecimalField(_l("管理单位年度补贴上限（元）"), places=2, default=Decimal("5000000"), validators=YUAN)
    exclude_internal = BooleanField(_l("排除本单位内部使用"), default=True)
    exclude_related = BooleanField(_l("排除关联单位使用"), default=True)
    settlement_period = SelectField(_l("结算周期"), choices=lambda: list(PERIODS.items()),
                                    default="quarter")

    def rules_data(self) -> dict:
        return {
            "rate_default_bp": to_bp(self.rate_default.data), "rate_sme_bp": to_bp(self.rate_sme.data),
            "rate_sme_high_tech_bp": to_bp(self.rate_sme_high_tech.data),
            "booking_cap": to_fen(self.booking_cap.data), "org_year_cap": to_fen(self.org_year_cap.data),
            "min_original_value": to_fen(self.min_original_value.data),
            "provider_rate_bp": to_bp(self.provider_rate.data), "grade_a_bp": to_bp(self.grade_a.data),
            "grade_b_bp": to_bp(self.grade_b.data), "grade_c_bp": to_bp(self.grade_c.data),
            "grade_d_bp": to_bp(self.grade_d.data), "ungraded": self.ungraded.data,
            "provider_unit_cap": to_fen(self.provider_unit_cap.data),
            "exclude_internal": self.exclude_internal.data, "exclude_related": self.exclude_related.data,
            "settlement_period": self.settlement_period.data,
        }

    def fill_from(self, prog):
        self.name.data, self.year.data, self.active.data = prog.name, prog.year, prog.active
        self.budget.data = Decimal(prog.budget) / 100
        for f in ("rate_default", "rate_sme", "rate_sme_high_tech", "provider_rate"):
            getattr(self, f).data = Decimal(getattr(prog, f + "_bp")) / 100
        for g in "abcd":
            getattr(self, f"grade_{g}").data = Decimal(getattr(prog, f"grade_{g}_bp")) / 100
        for f in ("booking_cap", "org_year_cap", "min_original_value", "provider_unit_cap"):
            getattr(self, f).data = Decimal(getattr(prog, f)) / 100
        self.ungraded.data, self.settlement_period.data = prog.ungraded, prog.settlement_period
        self.exclude_internal.data, self.exclude_related.data = prog.exclude_internal, prog.exclude_related


class GradeForm(FlaskForm):
    org_id = IntegerField(_l("单位编号"), validators=[DataRequired(), NumberRange(min=1)])
    grade = SelectField(_l("评价等级"), choices=lambda: grade_choices())


class SettleForm(FlaskForm):
    period = StringField(_l("结算期间（如 2026Q4）"), validators=[DataRequired(), Length(max=8)])


class StatementForm(FlaskForm):
    class Meta:
        csrf = False

    org = StringField(_l("单位"), validators=[Optional(), Length(max=140)],
                      render_kw={"list": "org-options", "autocomplete": "off"})
    org_id = IntegerField(_l("单位编号"), validators=[Optional(), NumberRange(min=1, max=2**31 - 1)])
    period = StringField(_l("期间（如 2026Q4）"), validators=[Optional(), Length(max=8)])
    resolved_org_id: int | None = None

    def validate_org(self, field):
        """A name typed (or picked from the suggestions) must name one organisation."""
        from ..core.errors import Invalid
        from .services.statements import resolve_organisation
        if field.data and field.data.strip():
            try:
                self.resolved_org_id = resolve_organisation(field.data)
            except Invalid as err:
                raise ValidationError(err.detail) from None

    def validate_period(self, field):
        """A bad period is shown next to the field (the same check the statement makes)."""
        from ..core.errors import Invalid
        from .services.settlement import statement_period
        if field.data and field.data.strip():
            try:
                statement_period(field.data)
            except Invalid as err:
                raise ValidationError(err.detail) from None


class PayoutForm(FlaskForm):
    """Record a payout: the voucher number is required (checked by the service: format, unique)."""

    voucher = StringField(_l("付款凭证号"), render_kw={"maxlength": VOUCHER_MAX, "required": True,
                                                  "autocomplete": "off"})


class ReversePayoutForm(FlaskForm):
    reason = TextAreaField(_l("冲销原因"), render_kw={"maxlength": 300, "required": True, "rows": 3})


class PayoutFilterForm(FlaskForm):
    class Meta:
        csrf = False

    org = StringField(_l("收款单位"), validators=[Optional(), Length(max=120)])
    voucher = StringField(_l("凭证号"), validators=[Optional(), Length(max=40)])
    status = SelectField(_l("状态"), validators=[Optional()],
                         choices=lambda: [("", _l("全部"))] + list(PAYOUT_STATUSES.items()))
    date_from = DateField(_l("起始日期"), validators=[Optional()])
    date_to = DateField(_l("截止日期"), validators=[Optional()])

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("截止日期不能早于起始日期"))
