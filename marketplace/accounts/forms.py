from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from ..core.i18n import lazy_tr
from ..core.reference import CITIES, ORG_KINDS


class LoginForm(FlaskForm):
    email = EmailField(_l("电子邮箱"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("密码"), validators=[DataRequired(), Length(max=128)])
    remember = BooleanField(_l("记住我"))


PASSWORD_HINT = _l("至少 10 位，不要用常见密码（如 1234567890、password123）")


def _new_password(label=None):
    return PasswordField(label or _l("密码"), description=PASSWORD_HINT,
                         validators=[DataRequired(), Length(min=10, max=128)])


def _confirm():
    return PasswordField(_l("确认密码"), validators=[DataRequired(), EqualTo("password", _l("两次输入的密码不一致"))])


class RegisterForm(FlaskForm):
    name = StringField(_l("姓名"), validators=[DataRequired(), Length(max=60)])
    email = EmailField(_l("电子邮箱"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    password = _new_password()
    confirm = _confirm()
    org_name = StringField(_l("单位名称"), validators=[DataRequired(), Length(max=120)])
    org_kind = SelectField(_l("单位类型"), choices=[(k, lazy_tr(v)) for k, v in ORG_KINDS.items()])
    org_city = SelectField(_l("所在城市"), choices=[(c, lazy_tr(c)) for c in CITIES])
    uscc = StringField(_l("统一社会信用代码"), description=_l("18 位，见营业执照或登记证书"),
                       validators=[DataRequired(), Length(max=40)])
    legal_name = StringField(_l("登记名称（与执照一致）"), validators=[DataRequired(), Length(max=120)])
    legal_rep = StringField(_l("法定代表人"), validators=[DataRequired(), Length(max=60)])


class AcceptInvitationForm(FlaskForm):
    """The invited address is fixed by the invitation: no e-mail field."""
    name = StringField(_l("姓名"), validators=[DataRequired(), Length(max=60)])
    password = _new_password()
    confirm = _confirm()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("当前密码"), validators=[DataRequired(), Length(max=128)])
    password = _new_password(_l("新密码"))
    confirm = _confirm()


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("电子邮箱"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])


class ResetPasswordForm(FlaskForm):
    password = _new_password(_l("新密码"))
    confirm = _confirm()


class InviteForm(FlaskForm):
    email = EmailField(_l("被邀请人邮箱"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])


class TokenForm(FlaskForm):
    name = StringField(_l("令牌名称"), validators=[DataRequired(), Length(max=60)], default="API")


class ConfirmForm(FlaskForm):
    """An empty form: a button that posts with a CSRF token."""
