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
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

FMT = "%Y-%m-%dT%H:%M"


class BookingForm(FlaskForm):
    start = DateTimeLocalField(_l("开始时间"), format=FMT, validators=[DataRequired()])
    end = DateTimeLocalField(_l("结束时间"), format=FMT, validators=[DataRequired()])
    samples = IntegerField(_l("样品数量"), validators=[Optional(), NumberRange(min=1, max=100000)])
    purpose = TextAreaField(_l("用途说明"), validators=[DataRequired(), Length(max=500)])
    weekly_until = DateField(_l("每周重复，直到（可选）"), validators=[Optional()])
    confirm = HiddenField(default="0")
    assisted = HiddenField(default="0")  # "1": a session operated by the lab's staff (not qualified)


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


class CorrectForm(FlaskForm):
    """The lab's correction of a no-show (into completed) or of a usage record, with a reason."""

    actual_start = DateTimeLocalField(_l("实际开始"), format=FMT, validators=[DataRequired()])
    actual_end = DateTimeLocalField(_l("实际结束"), format=FMT, validators=[DataRequired()])
    actual_samples = IntegerField(_l("实际样品数"), validators=[Optional(), NumberRange(min=0, max=100000)])
    reason = TextAreaField(_l("更正理由"), validators=[DataRequired(), Length(max=500)])


class RatingForm(FlaskForm):
    score = RadioField(_l("评分"), choices=[str(i) for i in range(5, 0, -1)],
                       validators=[DataRequired()])
    comment = TextAreaField(_l("评价"), validators=[Optional(), Length(max=1000)])


WEEKDAYS = (_l("周一"), _l("周二"), _l("周三"), _l("周四"), _l("周五"), _l("周六"), _l("周日"))
RANGES_PER_DAY = 2  # e.g. a morning and an afternoon session


class SettingsForm(FlaskForm):
    """The booking rules; the opening hours are a week of days × up to two time ranges (d{day}_{n}_opens /
    _closes, local time), not a typed-in code."""

    def weekly(self) -> list[tuple[int, object, object, str]]:
        """(weekday, opens, closes, field name) of the ranges filled in."""
        out = []
        for d in range(7):
            for n in range(RANGES_PER_DAY):
                o, c = self[f"d{d}_{n}_opens"].data, self[f"d{d}_{n}_closes"].data
                if o is not None or c is not None:
                    out.append((d, o, c, f"d{d}_{n}_closes"))
        return out

    def day_fields(self):
        """(label, [(opens field, closes field), …]) per weekday, for the template."""
        return [(WEEKDAYS[d], [(self[f"d{d}_{n}_opens"], self[f"d{d}_{n}_closes"]) for n in range(RANGES_PER_DAY)])
                for d in range(7)]

    def fill_weekly(self, rows):
        by_day: dict[int, list] = {}
        for d, o, c in sorted(rows):
            by_day.setdefault(d, []).append((o, c))
        for d, spans in by_day.items():
            for n, (o, c) in enumerate(spans[:RANGES_PER_DAY]):
                self[f"d{d}_{n}_opens"].data, self[f"d{d}_{n}_closes"].data = o, c
    lead_time_hours = IntegerField(_l("最少提前（小时）"), validators=[Optional(), NumberRange(min=0, max=8760)])
    horizon_days = IntegerField(_l("最多提前（天）"), validators=[Optional(), NumberRange(min=1, max=3660)])
    min_minutes = IntegerField(_l("最短时长（分钟）"), validators=[Optional(), NumberRange(min=1, max=100000)])
    max_minutes = IntegerField(_l("最长时长（分钟）"), validators=[Optional(), NumberRange(min=1, max=100000)])
    requires_approval = BooleanField(_l("预约需审批"))
    assisted_percent = IntegerField(_l("协助机时费率（正常价格的 %）"),
                                    validators=[Optional(), NumberRange(min=100, max=1000)])


for _d in range(7):
    for _n in range(RANGES_PER_DAY):
        setattr(SettingsForm, f"d{_d}_{_n}_opens", TimeField(_l("开始"), validators=[Optional()]))
        setattr(SettingsForm, f"d{_d}_{_n}_closes", TimeField(_l("结束"), validators=[Optional()]))


class BlackoutForm(FlaskForm):
    start = DateTimeLocalField(_l("开始"), format=FMT, validators=[DataRequired()])
    end = DateTimeLocalField(_l("结束"), format=FMT, validators=[DataRequired()])
    reason = StringField(_l("原因"), validators=[DataRequired(), Length(max=200)])


class QualifyForm(FlaskForm):
    """The lab qualifies a user: picked from those who asked for training or booked, or by e-mail."""

    user_id = SelectField(_l("用户"), coerce=lambda v: int(v) if v not in (None, "") else None,
                          validators=[Optional()], validate_choice=False)
    email = StringField(_l("或输入用户邮箱"), validators=[Optional(), Email(), Length(max=254)])
    valid_until = DateField(_l("有效期至"), validators=[Optional()])


class TrainingRequestForm(FlaskForm):
    note = TextAreaField(_l("说明（经验、希望的培训时间）"), validators=[Optional(), Length(max=1000)])


class ScheduleTrainingForm(FlaskForm):
    scheduled_at = DateTimeLocalField(_l("培训时间"), format=FMT, validators=[DataRequired()])
    note = StringField(_l("地点与说明"), validators=[Optional(), Length(max=1000)])


class CompleteTrainingForm(FlaskForm):
    valid_until = DateField(_l("资格有效期至"), validators=[Optional()])


class DowntimeForm(FlaskForm):
    """Maintenance or an incident (the lab); a user reporting an incident sees kind fixed to incident."""

    kind = SelectField(_l("类型"), choices=[("maintenance", _l("维护保养")), ("incident", _l("故障"))],
                       validators=[DataRequired()])
    severity = SelectField(_l("严重程度（故障）"), choices=[("", "—"), ("low", _l("轻微")), ("medium", _l("一般")),
                                                    ("high", _l("严重"))], validators=[Optional()])
    starts_at = DateTimeLocalField(_l("开始"), format=FMT, validators=[DataRequired()])
    ends_at = DateTimeLocalField(_l("预计结束"), format=FMT, validators=[Optional()])
    note = TextAreaField(_l("说明"), validators=[DataRequired(), Length(max=1000)])


class MoveForm(FlaskForm):
    start = DateTimeLocalField(_l("新的开始时间"), format=FMT, validators=[DataRequired()])
