"""Billing tests: the subsidy world (a lab, an SME company, a programme), bookings completed in
December 2026, and a clock that can be moved past the month's end to close it."""
from datetime import datetime, timedelta

import pytest
import time_machine

from marketplace.billing.services import bills
from marketplace.core.db import writing
from marketplace.extensions import db
from tests.subsidy.conftest import World

JANUARY = datetime(2027, 1, 2, 2, 0)  # naive UTC: 2 January 2027 10:00 Beijing, December is over


@pytest.fixture
def world(app, make_org, make_user, make_resource):
    w = World(make_org, make_user, make_resource)
    w.new_programme()
    return w


@pytest.fixture
def gateway_up(app, localstripe):
    app.config["STRIPE_API_BASE"] = localstripe
    return localstripe


def completed(world, *hours, user=None):
    """Bookings of `hours` each, requested, approved and completed (usage as booked)."""
    out = []
    for h in hours:
        b = world.book(user=user, hours=h)
        world.approve(b)
        world.complete(b)
        out.append(b)
    return out


def at(when: datetime):
    """Move the suite clock (ticking) to a naive-UTC instant."""
    from datetime import UTC
    return time_machine.travel(when.replace(tzinfo=UTC), tick=True)


def close(month="2026-12", actor=None):
    """Close a month as the scheduler does (one unit of work); returns the report."""
    db.session.commit()
    with writing():
        report = bills.close_month(month, actor=actor)
        db.session.commit()
    return report


def do(fn, *args, **kw):
    db.session.commit()
    with writing():
        try:
            out = fn(*args, **kw)
            db.session.commit()
            return out
        except Exception:
            db.session.rollback()
            raise


def days(n):
    return timedelta(days=n)
