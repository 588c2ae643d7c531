"""Pure census rules: quota hours, ratios, available hours, evaluation scores, export cells.

No app, no database: every number (quotas, weights, thresholds) is passed in from the config.
"""
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from ..core.timeutil import LOCAL_TZ

GROUPS = ("city", "type", "org", "instrument")

# The national open-sharing evaluation: three parts, seven indicators (key -> part).
INDICATORS = {
    "open_rate": "organisation",         # 开放率
    "staff": "organisation",             # 实验技术队伍
    "online_service": "organisation",    # 在线服务
    "run_hours": "operation",            # 运行机时
    "effect": "operation",               # 成效
    "share_hours": "sharing",            # 共享机时
    "external_service": "sharing",       # 对外服务成效与用户评价
}
GRADES = ("优秀", "良好", "合格", "较差")
GRADE_TO_PROVIDER = {"优秀": "A", "良好": "B", "合格": "C", "较差": "D"}


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """[1 January, next 1 January) of a local (Asia/Shanghai) year, as naive UTC."""
    return local_midnight_utc(date(year, 1, 1)), local_midnight_utc(date(year + 1, 1, 1))


def month_bounds(year: int) -> list[datetime]:
    """13 naive-UTC instants: the local start of each month of the year and of the next year."""
    return [local_midnight_utc(date(year + (m > 12), (m - 1) % 12 + 1, 1)) for m in range(1, 14)]


def local_midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time(0), LOCAL_TZ).astimezone(UTC).replace(tzinfo=None)


def quota_hours(category: str | None, by_category: dict, default: int) -> int:
    """定额机时 of an instrument: its category's quota (e.g. 800 h specialised) or the general one."""
    value = by_category.get(category or "", default)
    return int(value)


def ratio(numerator, denominator, places: int = 4) -> float | None:
    """numerator / denominator rounded, or None when there is nothing to divide by."""
    if not denominator:
        return None
    return round(numerator / denominator, places)


def hours(seconds: int) -> float:
    return round(seconds / 3600, 2)


def weekday_counts(year: int) -> list[int]:
    """How many Mondays, Tuesdays, ... Sundays the year has (52 or 53 each)."""
    counts = [0] * 7
    day, end = date(year, 1, 1), date(year + 1, 1, 1)
    while day < end:
        counts[day.weekday()] += 1
        day += timedelta(days=1)
    return counts


def weekly_seconds(spans) -> list[int]:
    """Opening seconds per weekday from (weekday, opens, closes) local spans (merged per day)."""
    per_day: dict[int, list] = {}
    for wd, opens, closes in spans:
        per_day.setdefault(wd, []).append((_secs(opens), _secs(closes)))
    out = [0] * 7
    for wd, items in per_day.items():
        out[wd] = sum(e - s for s, e in _merge(items))
    return out


def merged_spans(spans) -> list[tuple[int, time, time]]:
    """Weekly spans with the overlapping ones of a day merged (so no hour counts twice)."""
    out = []
    for wd in range(7):
        items = [(opens, closes) for d, opens, closes in spans if d == wd]
        out.extend((wd, s, e) for s, e in _merge(items))
    return out


def opening_seconds_between(spans, lo: datetime, hi: datetime) -> int:
    """Opening seconds of the weekly local `spans` inside the naive-UTC interval [lo, hi)."""
    if lo >= hi:
        return 0
    spans = merged_spans(spans)
    total = 0
    day = _local(lo).date() - timedelta(days=1)
    last = _local(hi).date()
    while day <= last:
        for wd, opens, closes in spans:
            if wd == day.weekday():
                s = datetime.combine(day, opens, LOCAL_TZ).astimezone(UTC).replace(tzinfo=None)
                e = datetime.combine(day, closes, LOCAL_TZ).astimezone(UTC).replace(tzinfo=None)
                s, e = max(s, lo), min(e, hi)
                if s < e:
                    total += int((e - s).total_seconds())
        day += timedelta(days=1)
    return total


def available_seconds(spans, year: int, blackouts=()) -> int:
    """Opening hours over the year minus the opening hours that fall inside blackouts."""
    per_week = weekly_seconds(spans)
    total = sum(s * n for s, n in zip(per_week, weekday_counts(year), strict=True))
    lo, hi = year_bounds(year)
    merged = _merge([(max(s, lo), min(e, hi)) for s, e in blackouts if max(s, lo) < min(e, hi)])
    for s, e in merged:
        total -= opening_seconds_between(spans, s, e)
    return max(total, 0)


def _secs(t: time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def _merge(items):
    out = []
    for s, e in sorted(items):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _local(dt: datetime) -> datetime:
    return dt.replace(tzinfo=UTC).astimezone(LOCAL_TZ)


# -- evaluation ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class UnitFacts:
    """What the platform knows of one managing unit in one year (all from records)."""

    org_id: int
    instruments: int = 0          # instruments it manages (not archived)
    open_instruments: int = 0     # published and bookable
    staff: int = 0                # its members on the platform
    bookings: int = 0             # bookings of its instruments that started in the year
    answered: int = 0             # ... that its staff approved or rejected
    finished: int = 0             # ... completed or settled
    quota_seconds: int = 0
    used_seconds: int = 0
    external_seconds: int = 0
    orgs_served: int = 0
    rating_sum: int = 0
    rating_count: int = 0


def indicator_scores(f: UnitFacts, targets: dict) -> dict[str, float]:
    """Each indicator as a fraction 0..1 of its full marks."""
    def frac(n, d):
        return min(1.0, n / d) if d else 0.0
    rating = (f.rating_sum / f.rating_count - 1) / 4 if f.rating_count else 0.0
    coverage = frac(f.orgs_served, targets["coverage_orgs"])
    return {
        "open_rate": frac(f.open_instruments, f.instruments),
        "staff": frac(f.staff, f.instruments * targets["staff_per_instrument"]),
        "online_service": frac(f.answered, f.bookings),
        "run_hours": frac(f.used_seconds, f.quota_seconds),
        "effect": frac(f.finished, f.bookings),
        "share_hours": frac(f.external_seconds, f.used_seconds),
        "external_service": (coverage + rating) / 2,
    }


def score(f: UnitFacts, weights: dict, targets: dict) -> tuple[float, dict[str, float]]:
    """The weighted score out of the sum of the weights (100 by default) and each indicator's points."""
    fractions = indicator_scores(f, targets)
    points = {k: round(fractions[k] * weights[k], 2) for k in INDICATORS}
    return round(sum(fractions[k] * weights[k] for k in INDICATORS), 2), points


def grade(score_: float, thresholds: dict) -> str:
    """优秀 / 良好 / 合格 / 较差 from the score and the configured lower bounds."""
    if score_ >= thresholds["优秀"]:
        return "优秀"
    if score_ >= thresholds["良好"]:
        return "良好"
    if score_ >= thresholds["合格"]:
        return "合格"
    return "较差"
