"""Forms of the verification pages (Flask-WTF)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..uploads.forms import UploadField
from .states import KINDS


class IdentityForm(FlaskForm):
    uscc = StringField(_l("统一社会信用代码"), validators=[DataRequired(), Length(max=40)],
                       description=_l("18 位，见营业执照"))
    legal_name = StringField(_l("法定名称（与营业执照一致）"), validators=[DataRequired(), Length(max=120)])
    legal_rep = StringField(_l("法定代表人"), validators=[DataRequired(), Length(max=60)])
    legal_rep_id = StringField(_l("法定代表人身份证号码（选填，仅用于关联关系核对，不显示）"),
                               validators=[Optional(), Length(max=40)])


class ClaimForm(FlaskForm):
    kind = SelectField(_l("资质类型"), choices=list(KINDS.items()), validators=[DataRequired()])
    number = StringField(_l("编号"), validators=[Optional(), Length(max=40)],
                         description=_l("省内注册单位可不填（即统一社会信用代码）"))
    issued_on = DateField(_l("发证日期（高新技术企业）"), validators=[Optional()])
    valid_until = DateField(_l("有效期至（选填，按编号推算）"), validators=[Optional()])
    documents = UploadField(_l("证明材料"), max_files=10)


class DecisionForm(FlaskForm):
    reason = TextAreaField(_l("原因或意见"), validators=[Optional(), Length(max=2000)])
