"""Event forms. Times typed in forms are Asia/Shanghai local time."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..core.reference import CITIES
from .states import EVENT_KINDS

FMT = "%Y-%m-%dT%H:%M"


class EventForm(FlaskForm):
    title = StringField(_l("活动名称"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("活动类型"), choices=list(EVENT_KINDS.items()), validators=[DataRequired()])
    platform = SelectField(_l("所属平台"), choices=[("", "—"), ("startup", _l("创业服务平台")),
                                                   ("finance", _l("科技金融平台")), ("talent", _l("人才服务平台")),
                                                   ("sharing", _l("资源共享平台")), ("trading", _l("技术交易平台"))],
                           validators=[Optional()])
    city = SelectField(_l("城市"), choices=[(c, c) for c in CITIES], validators=[DataRequired()])
    venue = StringField(_l("地点"), validators=[DataRequired(), Length(max=200)])
    starts_at = DateTimeLocalField(_l("开始时间"), format=FMT, validators=[DataRequired()])
    ends_at = DateTimeLocalField(_l("结束时间"), format=FMT, validators=[DataRequired()])
    registration_deadline = DateTimeLocalField(_l("报名截止"), format=FMT, validators=[DataRequired()])
    capacity = IntegerField(_l("名额"), validators=[DataRequired(), NumberRange(min=1, max=100000)])
    description = TextAreaField(_l("活动介绍"), validators=[Optional(), Length(max=2000)])


class CheckInForm(FlaskForm):
    code = StringField(_l("签到码"), validators=[DataRequired(), Length(max=16)])
