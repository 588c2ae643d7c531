"""Working days on China's official calendar (the State Council's holiday notices with their 调休
make-up days, via chinese-calendar): the one calendar of every deadline counted in working days
(registration's review period, a lab's correction window)."""
from collections.abc import Callable
from datetime import date, timedelta

import chinese_calendar


def official_workday(day: date) -> bool | None:
    """True/False from the State Council's holiday notices (via `chinese-calendar`, which carries the
    holidays and the 调休 make-up working days); None for a year the package has no data for yet."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


# The statutory holidays on fixed solar dates (《全国年节及纪念日放假办法》: 元旦 1 January, 劳动节 1–2 May, 国庆节
# 1–3 October) and 清明 (a solar term): known before a year's notice is published.
FIXED_HOLIDAYS = {(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)}


def statutory_holiday(day: date) -> bool:
    """A day the law makes a holiday whatever the year's notice adds (its 调休 and the lunar festivals)."""
    if (day.month, day.day) in FIXED_HOLIDAYS:
        return True
    return day.month == 4 and any(name == "清明" for _d, name in chinese_calendar.get_solar_terms(day, day))


def working_day(day: date, calendar: Callable[[date], bool | None] = official_workday) -> tuple[bool, bool]:
    """(is it a working day, is that only an estimate). Beyond the published notices Monday–Friday is
    assumed except the statutory holidays of fixed date (1 January 2027 is New Year's Day), and the
    answer is flagged as provisional, never silently trusted: the notice's make-up days and the lunar
    festivals (春节, 端午, 中秋) are known only once it is published."""
    known = calendar(day)
    if known is None:
        return day.weekday() < 5 and not statutory_holiday(day), True
    return known, False


def add_working_days(start: date, count: int,
                     calendar: Callable[[date], bool | None] = official_workday) -> tuple[date, bool]:
    """The `count`-th working day after `start` (the start day itself is not counted), and whether any
    day counted lies beyond the published calendar (a provisional date)."""
    if count < 1:
        raise ValueError("count must be positive")
    day, seen, provisional = start, 0, False
    while seen < count:
        day += timedelta(days=1)
        works, estimated = working_day(day, calendar)
        provisional = provisional or estimated
        seen += works
    return day, provisional


def working_days_left(today: date, due_on: date,
                      calendar: Callable[[date], bool | None] = official_workday) -> int:
    """Working days from today to the deadline: 0 on the due day, negative once overdue."""
    if due_on == today:
        return 0
    lo, hi, sign = (today, due_on, 1) if due_on > today else (due_on, today, -1)
    count, day = 0, lo
    while day < hi:
        day += timedelta(days=1)
        count += working_day(day, calendar)[0]
    return sign * count
