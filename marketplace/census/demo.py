"""Demo usage for the census: two years of finished bookings so every chart has a shape.

Called by the demo seeder (marketplace/demo/seed.py) inside a write transaction, after the booking
demo. It writes only past bookings in states that hold no time slot (completed, settled, cancelled,
rejected, no-show), on days before the booking demo's window, so it never meets its bookings.
Busier instruments, seasons (quiet February, busy autumn) and a mix of internal and external users
give the dashboards something to show.
"""
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from ..accounts.models import Organisation, User
from ..booking.models import Booking, Rating
from ..catalog.models import Instrument
from ..core.timeutil import LOCAL_TZ, to_local, utcnow
from ..extensions import db
from .models import SelfReport

SEASON = {1: 0.8, 2: 0.4, 3: 1.0, 4: 1.0, 5: 1.1, 6: 1.0, 7: 0.7, 8: 0.6, 9: 1.2, 10: 1.0, 11: 1.3, 12: 1.1}
STARTS = [time(8, 30), time(9, 0), time(10, 0), time(13, 30), time(14, 0)]
LENGTHS = [60, 120, 180, 240, 360, 480]


def _utc(day: date, t: time) -> datetime:
    return datetime.combine(day, t, LOCAL_TZ).astimezone(UTC).replace(tzinfo=None)


def seed_census(rng, max_instruments: int = 60) -> int:
    """Create two years of finished bookings on up to `max_instruments` instruments; return how many."""
    now = utcnow()
    today = to_local(now).date()
    first, last = date(today.year - 1, 1, 1), today - timedelta(days=80)
    instruments = list(db.session.scalars(
        sa.select(Instrument).where(Instrument.status == "published", Instrument.bookable.is_(True))
        .order_by(Instrument.id).limit(max_instruments)))
    companies = [u for u, in db.session.execute(
        sa.select(User).join(Organisation, Organisation.id == User.organisation_id)
        .where(Organisation.kind == "enterprise").order_by(User.id).limit(300))]
    if not instruments or not companies:
        return 0
    members: dict[int, list] = {}
    for u in db.session.scalars(sa.select(User).where(User.organisation_id.in_({i.owner_org_id for i in instruments}))):
        members.setdefault(u.organisation_id, []).append(u)
    rows = []
    for inst in instruments:
        busy = rng.choice((0.1, 0.3, 0.5, 0.8, 1.0))  # share of working days it is used
        regulars = rng.sample(companies, min(len(companies), rng.randint(2, 8)))
        day = first
        while day <= last:
            if day.weekday() < 5 and rng.random() < busy * SEASON[day.month]:
                internal = members.get(inst.owner_org_id) and rng.random() < 0.35
                user = rng.choice(members[inst.owner_org_id]) if internal else \
                    (rng.choice(regulars) if rng.random() < 0.7 else rng.choice(companies))
                rows.append(_row(rng, inst, user, day, now))
            day += timedelta(days=1)
    for chunk in range(0, len(rows), 2000):
        db.session.execute(sa.insert(Booking), rows[chunk:chunk + 2000])
    _ratings(rng, first, last)
    _self_reports(rng, instruments, today.year - 1)
    db.session.flush()
    return len(rows)


def _row(rng, inst, user, day, now) -> dict:
    start = _utc(day, rng.choice(STARTS))
    minutes = rng.choice(LENGTHS)
    end = start + timedelta(minutes=minutes)
    internal = user.organisation_id == inst.owner_org_id
    price = (inst.internal_price if internal else inst.external_price) or 0
    samples = rng.randint(1, 12) if inst.price_unit == "sample" else None
    fee = price * samples if samples else price * minutes // 60
    created = start - timedelta(days=rng.randint(2, 15))
    row = {"instrument_id": inst.id, "user_id": user.id, "org_id": user.organisation_id,
           "provider_org_id": inst.owner_org_id, "start": start, "end": end, "samples": samples,
           "purpose": "普查演示：仪器使用", "price_unit": inst.price_unit or "hour", "unit_price": price,
           "internal": internal, "service_mode": inst.service_mode, "fee": fee, "user_subsidy": 0,
           "decided_at": created + timedelta(hours=rng.randint(1, 30)), "created_at": created, "updated_at": created}
    r = rng.random()
    if r < 0.78:
        actual_start = start + timedelta(minutes=rng.choice((0, 0, 5, 10)))
        actual_end = end + timedelta(minutes=rng.choice((-30, -15, 0, 0, 15, 30)))
        settled = r < 0.6
        row.update(status="settled" if settled else "completed", actual_start=actual_start, actual_end=actual_end,
                   actual_samples=samples, completed_at=actual_end + timedelta(minutes=10),
                   settled_at=actual_end + timedelta(days=2) if settled else None,
                   payment_ref=f"pi_census_{rng.getrandbits(48):012x}" if settled else None)
    elif r < 0.88:
        row.update(status="cancelled", cancelled_at=start - timedelta(hours=rng.choice((30, 72))), cancel_fee=0)
    elif r < 0.94:
        row.update(status="no_show", cancel_fee=(fee + 1) // 2)
    else:
        row.update(status="rejected", reject_reason="该时段仪器需校准维护")
    return row


def _ratings(rng, first, last):
    lo, hi = _utc(first, time(0)), _utc(last + timedelta(days=1), time(0))
    done = db.session.execute(
        sa.select(Booking.id, Booking.instrument_id, Booking.provider_org_id, Booking.user_id, Booking.completed_at)
        .outerjoin(Rating, Rating.booking_id == Booking.id)
        .where(Booking.status.in_(("completed", "settled")), Booking.purpose == "普查演示：仪器使用",
               Booking.start >= lo, Booking.start < hi, Rating.id.is_(None))).all()
    rows = [{"booking_id": b, "instrument_id": i, "provider_org_id": p, "user_id": u,
             "score": rng.choices((5, 4, 3, 2), weights=(50, 30, 14, 6))[0], "comment": "",
             "created_at": at + timedelta(hours=rng.randint(1, 48))}
            for b, i, p, u, at in done if rng.random() < 0.3]
    for chunk in range(0, len(rows), 2000):
        db.session.execute(sa.insert(Rating), rows[chunk:chunk + 2000])


def _self_reports(rng, instruments, year):
    lab = db.session.scalar(sa.select(User.organisation_id).where(User.email == "lab@demo.cn"))
    mine = [i for i in instruments if i.owner_org_id == lab] or instruments[:3]
    for inst in mine[:5]:
        if db.session.scalar(sa.select(SelfReport.id).where(SelfReport.instrument_id == inst.id,
                                                            SelfReport.year == year)):
            continue
        hours = rng.randint(120, 600)
        db.session.add(SelfReport(instrument_id=inst.id, org_id=inst.owner_org_id, year=year, hours=hours,
                                  external_hours=rng.randint(0, hours // 2), orgs_served=rng.randint(1, 12),
                                  income=rng.randint(20, 400) * 100_00,
                                  note="校内课题组线下使用（未经平台预约）"))
