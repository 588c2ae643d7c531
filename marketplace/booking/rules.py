"""Pure booking rules: intervals, opening hours, availability, validation, fees, transitions.

No app, no database: every input is passed in. Datetimes are naive UTC unless said otherwise;
intervals are half-open (start, end) tuples.
"""
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _

from ..core.schema import Count, conform
from ..core.timeutil import LOCAL_TZ
from ..core.workdays import add_working_days
from .states import ACTIVE_STATUSES, TRANSITIONS

Interval = tuple[datetime, datetime]

WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


# -- intervals -------------------------------------------------------------------------------------

def overlaps(a: Interval, b: Interval) -> bool:
    """Half-open intervals overlap when each starts before the other ends."""
    return a[0] < b[1] and b[0] < a[1]


def merge(intervals) -> list[Interval]:
    """Sort and merge overlapping or touching intervals."""
    out: list[list[datetime]] = []
    for s, e in sorted(i for i in intervals if i[0] < i[1]):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def subtract(base, cuts) -> list[Interval]:
    """base minus cuts (both lists of intervals); result merged and sorted."""
    result = merge(base)
    for cs, ce in merge(cuts):
        nxt = []
        for s, e in result:
            if ce <= s or cs >= e:
                nxt.append((s, e))
                continue
            if s < cs:
                nxt.append((s, cs))
            if ce < e:
                nxt.append((ce, e))
        result = nxt
    return result


def clip(intervals, lo: datetime, hi: datetime) -> list[Interval]:
    return [(max(s, lo), min(e, hi)) for s, e in intervals if max(s, lo) < min(e, hi)]


def covers(intervals, span: Interval) -> bool:
    """True when span lies entirely inside one of the (merged) intervals."""
    return any(s <= span[0] and span[1] <= e for s, e in merge(intervals))


# -- opening hours ---------------------------------------------------------------------------------

def parse_weekly_hours(text: str) -> list[tuple[int, time, time]]:
    """Parse "0-4 08:30-17:30; 5 09:00-12:00" (weekday 0 = Monday) into (weekday, opens, closes)."""
    out = []
    for part in text.replace("；", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        days, hours = part.split()
        d0, _, d1 = days.partition("-")
        h0, _, h1 = hours.partition("-")
        opens, closes = time.fromisoformat(h0), time.fromisoformat(h1)
        if not closes > opens:
            raise ValueError(f"closing time must follow opening time: {part}")
        for d in range(int(d0), int(d1 or d0) + 1):
            if not 0 <= d <= 6:
                raise ValueError(f"weekday out of range: {d}")
            out.append((d, opens, closes))
    return sorted(out)


def format_weekly_hours(rows) -> str:
    return "; ".join(f"{d} {o.strftime('%H:%M')}-{c.strftime('%H:%M')}" for d, o, c in sorted(rows))


def _to_utc(d: date, t: time) -> datetime:
    return datetime.combine(d, t, LOCAL_TZ).astimezone(UTC).replace(tzinfo=None)


def local_date(dt: datetime) -> date:
    return dt.replace(tzinfo=UTC).astimezone(LOCAL_TZ).date()


def opening_intervals(weekly, lo: datetime, hi: datetime) -> list[Interval]:
    """Opening spans (naive UTC) between lo and hi for weekly hours given in local time."""
    if lo >= hi:
        return []
    out = []
    day = local_date(lo) - timedelta(days=1)
    last = local_date(hi)
    while day <= last:
        for wd, opens, closes in weekly:
            if wd == day.weekday():
                out.append((_to_utc(day, opens), _to_utc(day, closes)))
        day += timedelta(days=1)
    return clip(merge(out), lo, hi)


# -- rules of one instrument -----------------------------------------------------------------------

@dataclass(frozen=True)
class Rules:
    """Effective booking rules of one instrument (settings with config defaults filled in)."""

    weekly: tuple = ()                 # ((weekday, opens, closes), ...) local time
    lead_time_hours: int = 24
    horizon_days: int = 60
    min_minutes: int = 30
    max_minutes: int = 480
    slot_minutes: int = 30
    max_samples: int = 500
    requires_approval: bool = True
    assisted_percent: int | None = None  # None: BOOKING_ASSISTED_PERCENT
    blackouts: tuple = field(default=())  # ((start, end, reason), ...) naive UTC

    def window(self, now: datetime) -> Interval:
        """Where new bookings may start and end: after the lead time, before the horizon."""
        return now + timedelta(hours=self.lead_time_hours), now + timedelta(days=self.horizon_days)


def free_intervals(rules: Rules, busy, lo: datetime, hi: datetime, now: datetime) -> list[Interval]:
    """Bookable free time in [lo, hi): opening hours, inside lead time/horizon, minus blackouts and busy."""
    w0, w1 = rules.window(now)
    lo, hi = max(lo, w0), min(hi, w1)
    if lo >= hi:
        return []
    open_ = opening_intervals(rules.weekly, lo, hi)
    cuts = [(s, e) for s, e, *_ in rules.blackouts] + [(s, e) for s, e in busy]
    return subtract(open_, cuts)


def drop_off_slot(rules: Rules, busy, day: date, now: datetime) -> Interval | None:
    """Sample submission is booked by day and sample count: the drop-off appointment is the first free
    span of the minimum length on that local day, on the slot grid (None when the day has none)."""
    lo, hi = _to_utc(day, time(0)), _to_utc(day + timedelta(days=1), time(0))
    length = timedelta(minutes=max(rules.min_minutes, rules.slot_minutes or 0))
    step = (rules.slot_minutes or 30) * 60
    for s, e in free_intervals(rules, busy, lo, hi, now):
        offset = int((s - datetime(2000, 1, 1)).total_seconds()) % step
        start = s + timedelta(seconds=(step - offset) % step)
        if start + length <= e:
            return start, start + length
    return None


def busy_intervals(rules: Rules, busy, lo: datetime, hi: datetime) -> list[Interval]:
    """Busy time to show on the calendar (bookings merged; who booked is not revealed)."""
    return clip(merge(busy), lo, hi)


def validate_request(rules: Rules, start: datetime, end: datetime, now: datetime, *,
                     price_unit: str, samples=None, busy=()) -> dict[str, list[str]]:
    """Return errors by field (empty when the request is acceptable)."""
    errors: dict[str, list[str]] = {}

    def err(name, msg):
        errors.setdefault(name, []).append(msg)

    if end <= start:
        err("end", _("结束时间必须晚于开始时间"))
        return errors
    if start < now:
        err("start", _("不能预约过去的时间"))
        return errors
    w0, w1 = rules.window(now)
    if start < w0:
        err("start", _("至少需提前 %(n)s 小时预约", n=rules.lead_time_hours))
    if end > w1:
        err("end", _("最多只能预约 %(n)s 天以内", n=rules.horizon_days))
    minutes = (end - start).total_seconds() / 60
    if minutes < rules.min_minutes:
        err("end", _("预约时长不少于 %(n)s 分钟", n=rules.min_minutes))
    elif minutes > rules.max_minutes:
        err("end", _("预约时长不超过 %(n)s 分钟", n=rules.max_minutes))
    step = rules.slot_minutes * 60
    if step and (int((start - datetime(2000, 1, 1)).total_seconds()) % step
                 or int((end - datetime(2000, 1, 1)).total_seconds()) % step):
        err("start", _("时间须按 %(n)s 分钟对齐", n=rules.slot_minutes))
    if not errors and not covers(opening_intervals(rules.weekly, start - timedelta(days=1),
                                                   end + timedelta(days=1)), (start, end)):
        err("start", _("所选时间不在开放时间内"))
    for bs, be, *reason in rules.blackouts:
        if overlaps((start, end), (bs, be)):
            why = reason[0] if reason else ""
            err("start", _("所选时间处于停机维护期（%(why)s）", why=why))
            break
    if price_unit == "sample" or samples is not None:
        if samples is None and price_unit == "sample":
            err("samples", _("请填写样品数量"))
        elif conform(Count, samples) is None:
            err("samples", _("样品数量必须是整数"))
        elif not 1 <= samples <= rules.max_samples:
            err("samples", _("样品数量应在 1–%(n)s 之间", n=rules.max_samples))
    if not errors and any(overlaps((start, end), b) for b in busy):
        err("start", _("该时段已被预约"))
    return errors


# -- money -----------------------------------------------------------------------------------------

def booking_fee(price_unit: str, unit_price: int, start: datetime, end: datetime,
                samples: int | None = None) -> int:
    """Fee in fen: per hour (pro rata by the minute, half up) or per sample."""
    if price_unit == "sample":
        return unit_price * (samples or 0)
    minutes = max(0, int((end - start).total_seconds() // 60))
    return (unit_price * minutes + 30) // 60


def unit_price_for(internal_price: int, external_price: int, internal: bool) -> int:
    """The internal price applies when the booking organisation owns the instrument."""
    return internal_price if internal else external_price


def final_fee(price_unit: str, unit_price: int, service_mode: str, booked: Interval,
              used: Interval | None, samples: int | None, actual_samples: int | None) -> int:
    """Fee once usage is recorded.

    Self-operated, per hour: the greater of booked and used time. Staff-operated, per hour: the
    used time the staff recorded. Per sample: the samples actually processed (booked if unknown).
    """
    if price_unit == "sample":
        return booking_fee("sample", unit_price, *booked,
                           samples=actual_samples if actual_samples is not None else samples)
    booked_fee = booking_fee("hour", unit_price, *booked)
    if used is None:
        return booked_fee
    used_fee = booking_fee("hour", unit_price, *used)
    if service_mode == "self_operated":
        return max(booked_fee, used_fee)
    return used_fee


def cancellation_fee(fee: int, start: datetime, now: datetime, free_hours: int, percent: int,
                     status: str = "approved") -> int:
    """Free when cancelled at least `free_hours` before the start (or never approved), else percent of fee."""
    if status == "requested" or start - now >= timedelta(hours=free_hours):
        return 0
    return (fee * percent + 50) // 100


# -- state -----------------------------------------------------------------------------------------

def can_transition(from_state: str, to_state: str) -> bool:
    return to_state in TRANSITIONS.get(from_state, set())


def is_no_show(status: str, start: datetime, now: datetime, grace_minutes: int) -> bool:
    """An approved booking nobody checked in to `grace_minutes` after its start."""
    return status == "approved" and now >= start + timedelta(minutes=grace_minutes)


def is_stale_request(status: str, start: datetime, now: datetime, grace_minutes: int) -> bool:
    """A request nobody decided on by the time it should have started."""
    return status == "requested" and now >= start + timedelta(minutes=grace_minutes)


def effective_status(status: str, start: datetime, now: datetime, grace_minutes: int) -> str:
    """The status a person should see now: an overdue approved booking is a no-show and an overdue
    request has lapsed (rejected), even before the scheduled sweep writes it."""
    if is_no_show(status, start, now, grace_minutes):
        return "no_show"
    if is_stale_request(status, start, now, grace_minutes):
        return "rejected"
    return status


def holds_slot(status: str) -> bool:
    return status in ACTIVE_STATUSES


def checkin_window(start: datetime, end: datetime, early_minutes: int, grace_minutes: int) -> Interval:
    """When an approved booking may be checked in to: from `early_minutes` before its start until it
    becomes a no-show (`grace_minutes` after the start) or ends, whichever comes first (half-open)."""
    return start - timedelta(minutes=early_minutes), min(start + timedelta(minutes=grace_minutes), end)


# -- what needs the booking organisation's attention ------------------------------------------------

def owes(status: str, cancel_fee: int | None, cancel_fee_paid: bool) -> bool:
    """The booking waits for the booking organisation to pay: usage recorded (completed; settled when
    paid, even a zero payable needs the confirming click), or a late-cancellation / no-show fee unpaid."""
    if status == "completed":
        return True
    return status in ("cancelled", "no_show") and bool(cancel_fee) and not cancel_fee_paid


def needs_attention(status: str, cancel_fee: int | None, cancel_fee_paid: bool, extension_status: str | None) -> bool:
    """To pay, or a usage extension waiting for the user's confirmation."""
    return owes(status, cancel_fee, cancel_fee_paid) or (status == "completed" and extension_status == "proposed")


# -- week calendar ---------------------------------------------------------------------------------

def week_grid(rules_: Rules, busy, week_start: date, now: datetime):
    """A week calendar: (days, rows) where rows are (local time label, [(state, start_utc) per day]).

    state is 'free' (bookable), 'busy' (booked; who booked is not shown) or 'closed'.
    """
    step = timedelta(minutes=rules_.slot_minutes or 30)
    days = [week_start + timedelta(days=i) for i in range(7)]
    lo = _to_utc(days[0], time(0))
    hi = lo + timedelta(days=7)
    opens = [o for _, o, _ in rules_.weekly] or [time(8, 30)]
    closes = [c for _, _, c in rules_.weekly] or [time(17, 30)]
    first, last = min(opens), max(closes)
    free = free_intervals(rules_, busy, lo, hi, now)
    busy_m = merge(busy)
    rows = []
    t = datetime.combine(week_start, first)
    end_t = datetime.combine(week_start, last)
    while t < end_t:
        cells = []
        for d in days:
            s = _to_utc(d, t.time())
            span = (s, s + step)
            if covers(free, span):
                state = "free"
            elif any(overlaps(span, b) for b in busy_m):
                state = "busy"
            else:
                state = "closed"
            cells.append((state, s))
        rows.append((t.strftime("%H:%M"), cells))
        t += step
    return days, rows


@dataclass(frozen=True)
class BoundedUsage:
    """Usage as billed without asking the user, and what lies beyond it (an extension to confirm)."""

    start: datetime
    end: datetime
    samples: int | None
    extension_end: datetime | None = None
    extension_samples: int | None = None

    @property
    def has_extension(self) -> bool:
        return self.extension_end is not None or self.extension_samples is not None


def bound_usage(booked: Interval, booked_samples: int | None, start: datetime, end: datetime,
                samples: int | None, *, early: timedelta, grace: timedelta, margin: int) -> BoundedUsage:
    """Keep a usage record inside its booking (issue 9 item 4).

    The start may not precede the booking's start by more than the early check-in window (a ValueError
    naming "actual_start"); an end later than the booking's end + grace, and samples beyond the booked
    count + margin, are billed only up to those bounds, the rest being an extension the user confirms.
    """
    if start < booked[0] - early:
        raise ValueError("actual_start")
    latest = booked[1] + grace
    billed_end, extension_end = (latest, end) if end > latest else (end, None)
    billed_samples, extension_samples = samples, None
    if samples is not None and booked_samples is not None and samples > booked_samples + margin:
        billed_samples, extension_samples = booked_samples + margin, samples
    return BoundedUsage(start, max(billed_end, start), billed_samples, extension_end, extension_samples)


# -- corrections -----------------------------------------------------------------------------------

def correction_deadline(ended: datetime, working_days: int) -> datetime:
    """The end (naive UTC) of the `working_days`-th working day after the local day `ended` falls on:
    until then the lab may correct the booking's record."""
    day = local_date(ended)
    if working_days > 0:
        day = add_working_days(day, working_days)[0]
    return _to_utc(day + timedelta(days=1), time())
