"""The one check of a usage record (completion and the lab's corrections alike): it starts before it
ends, does not end in the future, overlaps the booking, and stays within the booking's bounds (an end
beyond end + grace, samples beyond the booked count + margin, are an extension the user confirms)."""
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _

from ...core.errors import Invalid
from ...core.schema import Count, Moment, validated
from .. import rules

# how far a usage record's end may lie beyond "now" (clocks of the lab's PC and the server differ)
CLOCK_SKEW = timedelta(minutes=5)
MAX_USAGE = timedelta(days=7)


@validated
def checked_usage(booking, actual_start: Moment | None, actual_end: Moment | None, actual_samples: Count | None,
                  now: datetime) -> rules.BoundedUsage:
    """The usage record bounded to the booking; Invalid naming each wrong field otherwise."""
    cfg = current_app.config
    actual_start = actual_start or booking.actual_start or booking.start
    actual_end = actual_end or now
    errors: dict[str, list[str]] = {}
    early = timedelta(minutes=cfg["BOOKING_CHECKIN_EARLY_MINUTES"])
    if actual_end <= actual_start:
        errors["actual_end"] = [_("实际结束时间必须晚于开始时间")]
    elif actual_end > now + CLOCK_SKEW:
        errors["actual_end"] = [_("实际结束时间不能在将来")]
    elif actual_end <= booking.start:
        errors["actual_end"] = [_("实际结束时间不能早于预约开始时间")]
    elif actual_end - actual_start > MAX_USAGE:
        errors["actual_end"] = [_("实际使用时间过长")]
    if actual_start < booking.start - early:
        errors["actual_start"] = [_("实际开始时间不能早于预约开始前 %(m)s 分钟", m=cfg["BOOKING_CHECKIN_EARLY_MINUTES"])]
    elif actual_start >= booking.end + timedelta(minutes=cfg["BOOKING_OVERRUN_GRACE_MINUTES"]):
        errors["actual_start"] = [_("实际开始时间不能晚于预约结束")]
    if booking.price_unit == "sample" and actual_samples is None:
        actual_samples = booking.samples
    max_samples = cfg["BOOKING_MAX_SAMPLES"]
    if actual_samples is not None and actual_samples > max_samples:
        errors["actual_samples"] = [_("样品数量应在 0–%(n)s 之间", n=max_samples)]
    if errors:
        raise Invalid(_("使用记录有误"), errors)
    return rules.bound_usage((booking.start, booking.end), booking.samples, actual_start, actual_end,
                             actual_samples, early=early,
                             grace=timedelta(minutes=cfg["BOOKING_OVERRUN_GRACE_MINUTES"]),
                             margin=cfg["BOOKING_SAMPLE_MARGIN"])
