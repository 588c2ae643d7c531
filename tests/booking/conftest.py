"""Booking fixtures: a lab with an instrument, a company with a user, slot helpers."""
from datetime import time, timedelta

import pytest

from marketplace.booking import rules
from marketplace.core.timeutil import to_local, utcnow
from marketplace.extensions import db


def next_monday(weeks_ahead: int = 1):
    """The local date of a Monday at least `weeks_ahead` weeks (and > 2 days) from now."""
    today = to_local(utcnow()).date()
    monday = today + timedelta(days=7 - today.weekday())  # next Monday
    if (monday - today).days < 3:
        monday += timedelta(days=7)
    return monday + timedelta(days=7 * (weeks_ahead - 1))


def slot(day_offset=0, hh=9, mm=0, minutes=60, weeks_ahead=1):
    """(start, end) naive UTC for a local weekday slot next week."""
    d = next_monday(weeks_ahead) + timedelta(days=day_offset)
    start = rules._to_utc(d, time(hh, mm))
    return start, start + timedelta(minutes=minutes)


def iso(dt):
    from marketplace.core.timeutil import isoformat
    return isoformat(dt)


@pytest.fixture
def lab(make_org):
    return make_org(name="南京大学测试中心", kind="university", city="南京")


@pytest.fixture
def company(make_org):
    return make_org(name="苏州某科技有限公司", kind="enterprise", city="苏州", sme=True)


@pytest.fixture
def lab_user(make_user, lab):
    return make_user(org=lab, email="lab@test.cn", name="实验室老师")


@pytest.fixture
def company_user(make_user, company):
    return make_user(org=company, email="company@test.cn", name="企业用户")


@pytest.fixture
def instrument(make_resource, lab):
    return make_resource("instrument", lab, title="场发射扫描电镜", service_mode="staff_operated",
                         price_unit="hour", internal_price=20_000, external_price=40_000)


@pytest.fixture
def make_booking(app):
    """Insert a booking directly (bypassing validation), for lifecycle tests around 'now'."""
    from marketplace.booking.models import Booking

    def _make(inst, user, start, end, status="approved", **kw):
        values = dict(instrument_id=inst.id, user_id=user.id, org_id=user.organisation_id,
                      provider_org_id=inst.owner_org_id, start=start, end=end, purpose="测试",
                      status=status, price_unit=inst.price_unit,
                      unit_price=inst.external_price, internal=False, service_mode=inst.service_mode,
                      fee=rules.booking_fee(inst.price_unit, inst.external_price, start, end, kw.get("samples")))
        values.update(kw)
        b = Booking(**values)
        db.session.add(b)
        db.session.commit()
        return b

    return _make


def now_slot(offset_minutes=0, minutes=60):
    """A booking interval starting `offset_minutes` from now (aligned to the minute)."""
    start = utcnow().replace(second=0, microsecond=0) + timedelta(minutes=offset_minutes)
    return start, start + timedelta(minutes=minutes)
