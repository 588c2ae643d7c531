"""What leaves the app as a file: a registration's ICS, its QR code, the attendance sheet."""
from datetime import UTC

import qrcode
import qrcode.image.svg
from flask_babel import gettext as _
from icalendar import Calendar
from icalendar import Event as IcsEvent

from ..core import exports as core_exports
from ..core.timeutil import to_local, utcnow
from .states import EVENT_KINDS, REGISTRATION_STATUSES


def registration_ics(reg) -> bytes:
    """One VEVENT for the registration, times in UTC (calendars show them locally)."""
    event = reg.event
    cal = Calendar()
    cal.add("prodid", "-//jsst-marketplace//events//ZH")
    cal.add("version", "2.0")
    item = IcsEvent()
    item.add("uid", f"event-{event.id}-reg-{reg.id}@jsst-marketplace")
    item.add("dtstamp", utcnow().replace(tzinfo=UTC))
    item.add("dtstart", event.starts_at.replace(tzinfo=UTC))
    item.add("dtend", event.ends_at.replace(tzinfo=UTC))
    item.add("summary", event.title)
    item.add("location", f"{event.city} {event.venue}")
    item.add("description", _("签到码：%(code)s", code=reg.code))
    cal.add_component(item)
    return cal.to_ical()


def qr_svg(text: str) -> str:
    """An inline SVG QR code of `text` (no raster library needed)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


def attendance_rows(regs) -> list[list]:
    header = [_("报名编号"), _("姓名"), _("邮箱"), _("单位"), _("状态"), _("签到码"), _("报名时间"), _("签到时间")]
    rows = [header]
    for r in regs:
        rows.append([r.id, r.user.name, r.user.email, r.user.organisation.name if r.user.organisation else "",
                     str(REGISTRATION_STATUSES[r.status]), r.code, _fmt(r.created_at), _fmt(r.checked_in_at)])
    return rows


def _fmt(dt):
    return to_local(dt).strftime("%Y-%m-%d %H:%M") if dt else ""


to_csv = core_exports.to_csv
to_xlsx = core_exports.to_xlsx


def kind_name(kind: str) -> str:
    return str(EVENT_KINDS.get(kind, kind))
