from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from ..core.i18n import tr
from ..core.reference import CITIES, ORG_KINDS


def _label(zh):
    """A reference list's Chinese name, shown in the interface language when the form renders."""
    return LazyString(lambda: tr(zh))


class LoginForm(FlaskForm):
    email = EmailField(_l("电子邮箱"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("密码"), validators=[DataRequired(), Length(max=128)])
    remember = BooleanField(_l("记住我"))


class PersonFields(FlaskForm):
    name = StringField(_l("姓名"), validators=[DataRequired(), Length(max=60)])
    email = EmailField(_l("电子邮箱"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    password = PasswordField(_l("密码（至少 8 位）"), validators=[DataRequired(), Length(min=8, max=128)])
    confirm = PasswordField(_l("确认密码"), validators=[DataRequired(), EqualTo("password", _l("两次输入的密码不一致"))])


class RegisterForm(PersonFields):
    org_name = StringField(_l("单位名称"), validators=[DataRequired(), Length(max=120)])
    org_kind = SelectField(_l("单位类型"), choices=[(k, _label(v[0])) for k, v in ORG_KINDS.items()])
    org_city = SelectField(_l("所在城市"), choices=[(c, _label(c)) for c in CITIES])
    sme = BooleanField(_l("科技型中小企业"))
    high_tech = BooleanField(_l("高新技术企业"))
    in_province = BooleanField(_l("省内注册"), default=True)


class AcceptInvitationForm(PersonFields):
    pass


class InviteForm(FlaskForm):
    email = EmailField(_l("被邀请人邮箱"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])


class TokenForm(FlaskForm):
    name = StringField(_l("令牌名称"), validators=[DataRequired(), Length(max=60)], default="API")


class ConfirmForm(FlaskForm):
    """An empty form: a button that posts with a CSRF token."""
