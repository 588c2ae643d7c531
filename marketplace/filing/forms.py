"""Filing forms: the application (sections basic, managers, documents), review steps, annual reports,
evaluation. Values are checked for type and length here; completeness and check digits on submit."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, FieldList, FormField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional

from ..core.reference import CITIES
from ..uploads.forms import UploadField
from .states import LEVELS

MAX_AMOUNT_YUAN = 10**12


class ManagerForm(FlaskForm):
    class Meta:
        csrf = False

    name = StringField(_l("姓名"), validators=[Optional(), Length(max=60)])
    email = StringField(_l("邮箱"), validators=[Optional(), Length(max=254)],
                        description=_l("用于关联或邀请技术经理人账号"))
    id_number = StringField(_l("身份证号码"), validators=[Optional(), Length(max=20)])
    certificate_no = StringField(_l("技术经理人证书编号"), validators=[Optional(), Length(max=60)])
    level = SelectField(_l("等级"), choices=[], validators=[Optional()])
    degree = StringField(_l("学历学位"), validators=[Optional(), Length(max=40)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.level.choices = [("", "—")] + [(k, v) for k, v in LEVELS.items()]


class FilingForm(FlaskForm):
    name = StringField(_l("事务所名称"), validators=[Optional(), Length(max=120)])
    uscc = StringField(_l("统一社会信用代码"), validators=[Optional(), Length(max=30)])
    legal_rep = StringField(_l("法定代表人"), validators=[Optional(), Length(max=60)])
    city = SelectField(_l("注册城市"), choices=[], validators=[Optional()])
    address = StringField(_l("办公地址"), validators=[Optional(), Length(max=200)])
    founded_on = DateField(_l("成立日期"), validators=[Optional()])
    business_scope = TextAreaField(_l("经营范围"), validators=[Optional(), Length(max=2000)])
    premises_m2 = IntegerField(_l("办公场所面积（平方米）"), validators=[Optional(), NumberRange(min=0, max=10_000_000)])
    managers = FieldList(FormField(ManagerForm), min_entries=3, max_entries=50)
    documents = UploadField(_l("证明材料"), description=_l("营业执照、技术经理人证书等"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from ..core.i18n import lazy_tr
        self.city.choices = [("", "—")] + [(c, lazy_tr(c)) for c in CITIES]

    def data_for_service(self) -> dict:
        data = {f: getattr(self, f).data for f in ("name", "uscc", "legal_rep", "city", "address", "founded_on",
                                                   "business_scope", "premises_m2")}
        data = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
        managers = []
        for entry in self.managers.entries:
            row = {k: (v or "").strip() if isinstance(v, str) or v is None else v for k, v in entry.data.items()
                   if k != "csrf_token"}
            if any(row.values()):
                row["level"] = row.get("level") or None
                managers.append(row)
        data["managers"] = managers
        return data


class ReviewForm(FlaskForm):
    """The reviewer's and admin's steps: a comment or reason, and comments per section for a return."""

    comment = TextAreaField(_l("意见"), validators=[Optional(), Length(max=2000)])
    reason = TextAreaField(_l("理由"), validators=[Optional(), Length(max=2000)])
    basic = TextAreaField(_l("基本信息"), validators=[Optional(), Length(max=2000)])
    managers = TextAreaField(_l("技术经理人"), validators=[Optional(), Length(max=2000)])
    documents = TextAreaField(_l("证明材料"), validators=[Optional(), Length(max=2000)])
    general = TextAreaField(_l("总体意见"), validators=[Optional(), Length(max=2000)])


class AnnualReportForm(FlaskForm):
    off_deals = IntegerField(_l("平台外促成交易（项）"), validators=[Optional(), NumberRange(min=0, max=10_000_000)])
    off_contract_amount = IntegerField(_l("平台外合同成交额（元）"),
                                       validators=[Optional(), NumberRange(min=0, max=MAX_AMOUNT_YUAN)])
    off_tech_amount = IntegerField(_l("平台外技术交易额（元）"),
                                   validators=[Optional(), NumberRange(min=0, max=MAX_AMOUNT_YUAN)])
    off_enterprises = IntegerField(_l("平台外服务企业（家）"), validators=[Optional(), NumberRange(min=0, max=10_000_000)])
    notes = TextAreaField(_l("说明"), validators=[Optional(), Length(max=2000)])


class NewReportForm(FlaskForm):
    year = IntegerField(_l("年度"), validators=[NumberRange(min=2000, max=2999)])


class EvaluationForm(FlaskForm):
    year = IntegerField(_l("年度"), validators=[NumberRange(min=2000, max=2999)])
    capability = IntegerField(_l("服务能力（0–30）"), validators=[NumberRange(min=0, max=30)])
    compliance = IntegerField(_l("规范管理：审核员评分（0–10）"), validators=[NumberRange(min=0, max=10)])
    reputation = IntegerField(_l("社会信誉（0–10）"), validators=[NumberRange(min=0, max=10)])
    comment = TextAreaField(_l("评语"), validators=[Optional(), Length(max=2000)])
