"""Booking forms. Times typed in forms are Asia/Shanghai local time."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

FMT = "%Y-%m-%dT%H:%M"


class BookingForm(FlaskForm):
    start = DateTimeLocalField(_l("开始时间"), format=FMT, validators=[DataRequired()])
    end = DateTimeLocalField(_l("结束时间"), format=FMT, validators=[DataRequired()])
    samples = IntegerField(_l("样品数量"), validators=[Optional(), NumberRange(min=1, max=100000)])
    purpose = TextAreaField(_l("用途说明"), validators=[DataRequired(), Length(max=500)])
    confirm = HiddenField(default="0")


class SampleBookingForm(FlaskForm):
    """Sample submission (per-sample pricing) is booked by drop-off day and sample count, not by time."""

    drop_off = DateField(_l("送样日期"), validators=[DataRequired()])
    samples = IntegerField(_l("样品数量"), validators=[DataRequired(), NumberRange(min=1, max=100000)])
    purpose = TextAreaField(_l("用途说明"), validators=[DataRequired(), Length(max=500)])
    confirm = HiddenField(default="0")


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("理由"), validators=[DataRequired(), Length(max=500)])


class CancelForm(FlaskForm):
    reason = TextAreaField(_l("取消原因（可选）"), validators=[Optional(), Length(max=500)])


class CompleteForm(FlaskForm):
    actual_start = DateTimeLocalField(_l("实际开始"), format=FMT, validators=[Optional()])
    actual_end = DateTimeLocalField(_l("实际结束"), format=FMT, validators=[Optional()])
    actual_samples = IntegerField(_l("实际样品数"), validators=[Optional(), NumberRange(min=0, max=100000)])


class RatingForm(FlaskForm):
    score = RadioField(_l("评分"), choices=[str(i) for i in range(5, 0, -1)],
                       validators=[DataRequired()])
    comment = TextAreaField(_l("评价"), validators=[Optional(), Length(max=1000)])


class SettingsForm(FlaskForm):
    opening_hours = StringField(_l("每周开放时间"), validators=[DataRequired(), Length(max=500)])
    lead_time_hours = IntegerField(_l("最少提前（小时）"), validators=[Optional(), NumberRange(min=0, max=8760)])
    horizon_days = IntegerField(_l("最多提前（天）"), validators=[Optional(), NumberRange(min=1, max=3660)])
    min_minutes = IntegerField(_l("最短时长（分钟）"), validators=[Optional(), NumberRange(min=1, max=100000)])
    max_minutes = IntegerField(_l("最长时长（分钟）"), validators=[Optional(), NumberRange(min=1, max=100000)])
    requires_approval = BooleanField(_l("预约需审批"))


class BlackoutForm(FlaskForm):
    start = DateTimeLocalField(_l("开始"), format=FMT, validators=[DataRequired()])
    end = DateTimeLocalField(_l("结束"), format=FMT, validators=[DataRequired()])
    reason = StringField(_l("原因"), validators=[DataRequired(), Length(max=200)])


class QualifyForm(FlaskForm):
    email = StringField(_l("用户邮箱"), validators=[DataRequired(), Email(), Length(max=254)])
