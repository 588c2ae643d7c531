"""Forms of the census pages. Income is typed in yuan and stored as fen."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, IntegerField, SelectField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    ValidationError,
)

from .models import MAX_YEAR_HOURS

YEAR = [InputRequired(), NumberRange(min=2000, max=2100)]


class SelfReportForm(FlaskForm):
    instrument_id = SelectField(_l("仪器"), coerce=int, validators=[DataRequired()])
    year = IntegerField(_l("年度"), validators=YEAR)
    hours = IntegerField(_l("平台外使用机时（小时）"), validators=[InputRequired(), NumberRange(min=0, max=MAX_YEAR_HOURS)])
    external_hours = IntegerField(_l("其中对外服务机时（小时）"),
                                  validators=[InputRequired(), NumberRange(min=0, max=MAX_YEAR_HOURS)])
    orgs_served = IntegerField(_l("服务外单位数"), validators=[InputRequired(), NumberRange(min=0, max=1_000_000)])
    income = DecimalField(_l("平台外服务收入（元）"), places=2,
                          validators=[InputRequired(), NumberRange(min=0, max=10**11)])
    note = TextAreaField(_l("说明"), validators=[Length(max=1000)])

    def validate_external_hours(self, field):
        if self.hours.data is not None and field.data is not None and field.data > self.hours.data:
            raise ValidationError(_l("对外服务机时不能多于总机时"))

    def validate_note(self, field):
        if field.data and "\x00" in field.data:
            raise ValidationError(_l("包含无效字符"))


class ApplyGradesForm(FlaskForm):
    programme_id = SelectField(_l("补贴计划"), coerce=int, validators=[DataRequired()])
    year = IntegerField(_l("评价年度"), validators=YEAR)
