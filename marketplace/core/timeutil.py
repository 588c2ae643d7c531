"""Times are stored as naive UTC and shown in Asia/Shanghai."""
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from .errors import Invalid

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    """Return the current time as naive UTC (the storage convention)."""
    return datetime.now(UTC).replace(tzinfo=None)


def to_utc_naive(dt: datetime) -> datetime:
    if dt.tzinfo is None:
        raise ValueError("naive datetime given where an aware one is required")
    return dt.astimezone(UTC).replace(tzinfo=None)


def to_local(dt: datetime | None) -> datetime | None:
    """Convert a stored naive-UTC datetime to an aware Asia/Shanghai one."""
    if dt is None:
        return None
    return dt.replace(tzinfo=UTC).astimezone(LOCAL_TZ)


def isoformat(dt: datetime | None) -> str | None:
    """ISO 8601 with offset, in Asia/Shanghai, for the API."""
    local = to_local(dt)
    return local.isoformat() if local else None


def parse_iso(text, field: str) -> datetime:
    """Parse an ISO 8601 time that carries an offset; return naive UTC or raise Invalid."""
    if not isinstance(text, str) or len(text) > 64:
        raise Invalid.field(field, _("时间格式应为带时区的 ISO 8601"))
    try:
        dt = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise Invalid.field(field, _("时间格式应为带时区的 ISO 8601")) from None
    if dt.tzinfo is None:
        raise Invalid.field(field, _("时间必须带时区偏移"))
    return to_utc_naive(dt)


def local_to_utc_naive(dt: datetime) -> datetime:
    """Interpret a naive datetime typed in a form as Asia/Shanghai local time."""
    return to_utc_naive(dt.replace(tzinfo=LOCAL_TZ))
