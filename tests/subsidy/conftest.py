"""A small world for subsidy and payment tests: a lab with an instrument, companies, staff, a
programme, and helpers that drive bookings through the booking services (signals included)."""
from datetime import datetime, timedelta

import pytest

from marketplace.booking import services as bs
from marketplace.booking.models import Booking
from marketplace.booking.rules import booking_fee
from marketplace.core.db import writing
from marketplace.extensions import db
from marketplace.subsidy import services as ss

BASE = datetime(2026, 12, 1, 1, 0)  # naive UTC: 09:00 Asia/Shanghai, inside the 2026 programme year


class World:
    def __init__(self, make_org, make_user, make_resource):
        self.make_org, self.make_user, self.make_resource = make_org, make_user, make_resource
        self.lab = make_org(name="南京大学测试中心", kind="university", city="南京")
        self.lab_staff = make_user(org=self.lab)
        self.company = make_org(name="苏州某科技公司", kind="enterprise", city="苏州", sme=True)
        self.co_user = make_user(org=self.company)
        self.admin = make_user(roles=("admin",))
        self.finance = make_user(roles=("finance",))
        self.instrument = make_resource("instrument", self.lab, external_price=40_000, internal_price=20_000,
                                        original_value=45_000_000)
        self.slot = 0
        self.programme = None

    def new_programme(self, budget=50_000_000_00, **rules):
        db.session.commit()
        with writing():
            self.programme = ss.create_programme(name="2026 年度大型科学仪器共享双向补贴", year=2026,
                                                 budget=budget, **rules, actor=self.admin)
            db.session.commit()
        return self.programme

    def company_user(self, **org_kw):
        org_kw.setdefault("kind", "enterprise")
        org_kw.setdefault("city", "无锡")
        org = self.make_org(**org_kw)
        return self.make_user(org=org)

    def book(self, user=None, hours=2, instrument=None) -> Booking:
        """A requested booking inserted directly (the request rules are the booking tests' job)."""
        user = user or self.co_user
        inst = instrument or self.instrument
        start = BASE + timedelta(hours=5 * self.slot)  # bookings never overlap (≤ 4 h each)
        self.slot += 1
        end = start + timedelta(hours=hours)
        internal = user.organisation_id == inst.owner_org_id
        price = inst.internal_price if internal else inst.external_price
        b = Booking(instrument_id=inst.id, user_id=user.id, org_id=user.organisation_id,
                    provider_org_id=inst.owner_org_id, start=start, end=end, purpose="测试", status="requested",
                    price_unit="hour", unit_price=price, internal=internal, service_mode=inst.service_mode,
                    fee=booking_fee("hour", price, start, end))
        db.session.commit()
        with writing():
            db.session.add(b)
            db.session.commit()
        return b

    def _do(self, fn, *args, **kw):
        db.session.commit()  # end any read transaction: the unit of work begins IMMEDIATE (SQLite)
        with writing():
            try:
                out = fn(*args, **kw)
                db.session.commit()
                return out
            except Exception:
                db.session.rollback()
                raise

    def provider(self, b):
        return self.lab_staff if b.provider_org_id == self.lab.id else self.admin

    def approve(self, b):
        return self._do(bs.approve_booking, b, actor=self.provider(b), now=b.start - timedelta(days=1))

    def reject(self, b):
        return self._do(bs.reject_booking, b, "设备维护", actor=self.provider(b), now=b.start - timedelta(days=1))

    def cancel(self, b):
        return self._do(bs.cancel_booking, b, actor=b.user, now=b.start - timedelta(days=2))

    def no_show(self, b):
        return self._do(bs.mark_no_shows, now=b.start + timedelta(hours=1), id=b.id)

    def complete(self, b, used_hours=None):
        used = timedelta(hours=used_hours) if used_hours is not None else (b.end - b.start)

        def _run():
            bs.check_in(b, now=b.start, actor=self.provider(b))
            bs.complete_booking(b, actual_start=b.start, actual_end=b.start + used,
                                now=b.start + used, actor=self.provider(b))
        return self._do(_run)

    def settle_free(self, b):
        """Settle without the gateway (tests of the subsidy side only)."""
        return self._do(bs.settle_booking, b, f"test-{b.id}", actor=self.co_user)


@pytest.fixture
def world(app, make_org, make_user, make_resource):
    return World(make_org, make_user, make_resource)


@pytest.fixture
def two_providers(world):
    prog = world.new_programme()
    lab2 = world.make_org(name="东南大学分析中心", kind="university", city="南京")
    inst2 = world.make_resource("instrument", lab2, external_price=100_000, original_value=80_000_000)
    with writing():
        ss.set_grade(prog, world.lab.id, "A", actor=world.admin)
        ss.set_grade(prog, lab2.id, "C", actor=world.admin)
        db.session.commit()
    return prog, lab2, inst2
