"""Each kind's web form. `details()` returns the kind's fields in the shape of its schema (money in fen),
so the form and the API feed the same validation in the services."""
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DecimalField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..accounts.lookup import UserField
from ..uploads.forms import UploadField

MAX_YUAN = Decimal("10000000000000")


def fen(value) -> int | None:
    return None if value is None else int((Decimal(value) * 100).to_integral_value())


def yuan(label, required=True):
    return DecimalField(label, places=2, validators=[DataRequired() if required else Optional(),
                                                     NumberRange(min=Decimal("0.01"), max=MAX_YUAN)])


class RequestForm(FlaskForm):
    event_id = HiddenField()
    call_id = HiddenField()
    FIELDS: tuple = ()

    def details(self) -> dict:
        return {name: getattr(self, name).data for name in self.FIELDS}

    def for_resource(self, resource) -> "RequestForm":
        """Fields that depend on the listing applied for (a picker of its organisation's people)."""
        return self


class IncubationForm(RequestForm):
    business_plan = TextAreaField(_l("商业计划概要"), validators=[DataRequired(), Length(max=2000)])
    team = TextAreaField(_l("团队介绍"), validators=[Optional(), Length(max=2000)])
    team_size = IntegerField(_l("团队人数"), validators=[DataRequired(), NumberRange(min=1, max=1000)])
    seats = IntegerField(_l("需要工位数"), validators=[DataRequired(), NumberRange(min=1, max=10000)])
    needs = TextAreaField(_l("其他需求（场地、导师、融资等）"), validators=[Optional(), Length(max=2000)])
    FIELDS = ("business_plan", "team", "team_size", "seats", "needs")


class LoanForm(RequestForm):
    amount = yuan(_l("申请金额（元）"))
    term_months = IntegerField(_l("贷款期限（月）"), validators=[DataRequired(), NumberRange(min=1, max=600)])
    purpose = StringField(_l("资金用途"), validators=[DataRequired(), Length(max=200)])
    revenue = yuan(_l("上年度营业收入（元）"), required=False)

    def details(self):
        return {"amount": fen(self.amount.data), "term_months": self.term_months.data,
                "purpose": self.purpose.data, "revenue": fen(self.revenue.data)}


class EquityForm(RequestForm):
    amount = yuan(_l("拟融资金额（元）"))
    stage = SelectField(_l("融资阶段"), choices=[("seed", _l("种子轮")), ("angel", _l("天使轮")),
                                                 ("series_a", _l("A 轮")), ("series_b", _l("B 轮")),
                                                 ("later", _l("B 轮以后"))])
    business_plan = TextAreaField(_l("商业计划概要"), validators=[DataRequired(), Length(max=2000)])
    use_of_funds = TextAreaField(_l("资金用途"), validators=[Optional(), Length(max=2000)])

    def details(self):
        return {"amount": fen(self.amount.data), "stage": self.stage.data,
                "business_plan": self.business_plan.data, "use_of_funds": self.use_of_funds.data}


class FinanceServiceForm(RequestForm):
    amount = yuan(_l("保险或担保金额（元）"), required=False)
    need = TextAreaField(_l("需求说明"), validators=[DataRequired(), Length(max=2000)])

    def details(self):
        return {"amount": fen(self.amount.data), "need": self.need.data}


class ConsultingForm(RequestForm):
    topic = StringField(_l("咨询主题"), validators=[DataRequired(), Length(max=200)])
    question = TextAreaField(_l("问题描述"), validators=[DataRequired(), Length(max=2000)])
    mode = SelectField(_l("咨询方式"), choices=[("online", _l("线上")), ("onsite", _l("现场"))])
    FIELDS = ("topic", "question", "mode")


class SecondmentForm(RequestForm):
    researcher_email = UserField(_l("科研人员（派出单位的平台账号）"))
    id_number = StringField(_l("科研人员身份证号码"), validators=[DataRequired(), Length(min=15, max=18)])
    degree = SelectField(_l("最高学位"), choices=[("phd", _l("博士")), ("master", _l("硕士")),
                                                  ("bachelor", _l("学士"))])
    senior_title = BooleanField(_l("具有正高级职称"))
    term_months = IntegerField(_l("选派期限（月）"), validators=[DataRequired(), NumberRange(min=1, max=600)])
    total_pay = yuan(_l("选派期内总薪酬（元）"))
    duties = TextAreaField(_l("岗位职责与合作内容"), validators=[DataRequired(), Length(max=2000)])

    def details(self):
        return {"researcher_email": self.researcher_email.user.email, "id_number": self.id_number.data.strip().upper(),
                "degree": self.degree.data, "senior_title": bool(self.senior_title.data),
                "term_months": self.term_months.data, "total_pay": fen(self.total_pay.data),
                "duties": self.duties.data}


    def for_resource(self, resource) -> "RequestForm":
        self.researcher_email.bind(resource.owner_org_id)
        return self


class DataAccessForm(RequestForm):
    purpose = TextAreaField(_l("使用目的"), validators=[DataRequired(), Length(max=2000)])
    agree_licence = BooleanField(_l("我已阅读并遵守数据许可协议"))
    FIELDS = ("purpose", "agree_licence")


class MaterialForm(RequestForm):
    quantity = IntegerField(_l("数量"), validators=[DataRequired(), NumberRange(min=1, max=10**9)])
    purpose = TextAreaField(_l("用途"), validators=[DataRequired(), Length(max=2000)])
    shipping_address = StringField(_l("收货地址"), validators=[DataRequired(), Length(max=200)])
    FIELDS = ("quantity", "purpose", "shipping_address")


class DatasetFileForm(FlaskForm):
    file = UploadField(_l("数据文件（PDF、JPEG 或 PNG）"), max_files=1)


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("理由"), validators=[DataRequired(), Length(max=2000)])


class NoteForm(FlaskForm):
    note = TextAreaField(_l("跟进记录"), validators=[DataRequired(), Length(max=2000)])


class StepNoteForm(FlaskForm):
    """Accept, grant, complete: the handler's note is optional."""
    note = TextAreaField(_l("办理意见"), validators=[Optional(), Length(max=2000)])


class StakeForm(FlaskForm):
    relation = SelectField(_l("关系"), choices=[("founder", _l("创办人")), ("investor", _l("出资人"))])
    holder_name = StringField(_l("名称或姓名"), validators=[DataRequired(), Length(max=120)])
    holder_org_id = IntegerField(_l("单位编号（机构出资人）"), validators=[Optional(), NumberRange(min=1, max=2**31 - 1)])
    holder_id_number = StringField(_l("身份证号码（个人出资人）"), validators=[Optional(), Length(min=15, max=18)])
