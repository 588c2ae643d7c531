"""Demo bookings: a believable spread of past and future bookings in every state.

Called by the demo seeder (marketplace/demo/seed.py) inside a write transaction; it bypasses the
services (no notifications, no signals) but respects every rule the database enforces: no two
active bookings of one instrument overlap, fees come from the same pure functions.
"""
from datetime import time, timedelta

from ..accounts.models import User
from ..catalog.models import Instrument
from ..core.timeutil import to_local, utcnow
from ..extensions import db
from . import rules
from .models import Booking, Rating

PURPOSES = [
    "新型锂电正极材料形貌与元素分布表征", "高分子复合材料断口形貌观察", "催化剂比表面积与孔径分析",
    "药物中间体结构确证（核磁）", "集成电路失效分析", "金属材料晶粒度与夹杂物检测",
    "纳米颗粒粒径分布测试", "涂层厚度与成分分析", "食品中重金属含量检测", "环境水样有机污染物筛查",
    "生物样品蛋白质组学分析", "新产品研发阶段的对比测试", "客户送检样品的第三方验证",
]
COMMENTS = ["老师很专业，数据质量高", "预约方便，出报告很快", "设备状态良好，服务周到", "整体满意，等待时间略长",
            "操作指导细致", ""]
SLOTS = [(time(9, 0), 120), (time(13, 30), 180), (time(10, 0), 60), (time(14, 0), 120), (time(15, 30), 90)]


def _weekday_dates(first, last):
    d = first
    while d <= last:
        if d.weekday() < 5:
            yield d
        d += timedelta(days=1)


def seed_bookings(rng, instruments, companies, users, max_instruments: int = 80, per_instrument=(3, 12)) -> int:
    """Create bookings on up to `max_instruments` bookable instruments; return how many."""
    now = utcnow()
    today = to_local(now).date()
    bookable = [i for i in instruments if i.get("bookable")]
    if not bookable or not companies:
        return 0
    company_ids = {c["id"] for c in companies}
    lab_demo = {u.organisation_id for u in users if u.email == "lab@demo.cn"}
    bookers = [u for u in users if u.organisation_id in company_ids]
    demo_company = [u for u in users if u.email == "company@demo.cn"]
    if not bookers:
        bookers = list(db.session.scalars(db.select(User).where(User.organisation_id.in_(company_ids)).limit(200)))
    if not bookers:
        return 0
    # the demo lab's instruments first, so lab@demo.cn has a queue to work on
    bookable.sort(key=lambda i: (i["owner_org_id"] not in lab_demo, rng.random()))
    chosen = bookable[:max_instruments]
    days = list(_weekday_dates(today - timedelta(days=75), today + timedelta(days=40)))
    created = 0
    for item in chosen:
        inst = db.session.get(Instrument, item["id"])
        if inst is None:
            continue
        n = rng.randint(*per_instrument)
        taken = set()
        for _ in range(n):
            day = rng.choice(days)
            start_t, minutes = rng.choice(SLOTS)
            if day in taken:  # one booking a day per instrument keeps them from overlapping
                continue
            taken.add(day)
            start = rules._to_utc(day, start_t)
            end = start + timedelta(minutes=minutes)
            user = demo_company[0] if demo_company and rng.random() < 0.15 else rng.choice(bookers)
            booking = _booking(rng, inst, user, start, end, now)
            db.session.add(booking)
            created += 1
        db.session.flush()
    _ratings(rng)
    return created


def _booking(rng, inst, user, start, end, now):
    internal = user.organisation_id == inst.owner_org_id
    price = rules.unit_price_for(inst.internal_price or 0, inst.external_price or 0, internal)
    samples = rng.randint(1, 20) if inst.price_unit == "sample" else None
    fee = rules.booking_fee(inst.price_unit, price, start, end, samples)
    b = Booking(instrument_id=inst.id, user_id=user.id, org_id=user.organisation_id,
                provider_org_id=inst.owner_org_id, start=start, end=end, samples=samples,
                purpose=rng.choice(PURPOSES), price_unit=inst.price_unit, unit_price=price, internal=internal,
                service_mode=inst.service_mode, fee=fee, user_subsidy=0,
                created_at=start - timedelta(days=rng.randint(2, 20), hours=rng.randint(0, 8)))
    b.created_at = min(b.created_at, now - timedelta(hours=1))
    decided = b.created_at + timedelta(hours=rng.randint(1, 30))
    r = rng.random()
    if end <= now:  # the past
        if r < 0.55:
            b.status = "settled" if r < 0.35 else "completed"
            b.decided_at = decided
            b.actual_start = start + timedelta(minutes=rng.choice((0, 0, 5, 10)))
            b.actual_end = end + timedelta(minutes=rng.choice((-30, 0, 0, 15, 30)))
            b.actual_samples = samples
            b.fee = rules.final_fee(b.price_unit, price, b.service_mode, (start, end),
                                    (b.actual_start, b.actual_end), samples, samples)
            b.completed_at = b.actual_end + timedelta(minutes=10)
            if b.status == "settled":
                b.settled_at = b.completed_at + timedelta(days=rng.randint(1, 5))
                b.payment_ref = f"pi_demo_{rng.getrandbits(48):012x}"
        elif r < 0.7:
            b.status, b.decided_at = "cancelled", decided
            b.cancelled_at = start - timedelta(hours=rng.choice((2, 30, 72)))
            b.cancel_fee = rules.cancellation_fee(fee, start, b.cancelled_at, 24, 50)
        elif r < 0.8:
            b.status, b.decided_at, b.cancel_fee = "no_show", decided, (fee + 1) // 2
        else:
            b.status, b.decided_at = "rejected", decided
            b.reject_reason = rng.choice(["该时段仪器需校准维护", "样品不符合上机要求，请先电话沟通", "操作人员出差，请改约其他时间"])
    elif start <= now:  # happening now
        b.status, b.decided_at, b.actual_start = "in_use", decided, start
    else:  # the future
        if r < 0.4:
            b.status = "requested"
        elif r < 0.85:
            b.status, b.decided_at = "approved", min(decided, now)
        elif r < 0.93:
            b.status, b.decided_at = "cancelled", min(decided, now)
            b.cancelled_at, b.cancel_fee = now - timedelta(hours=1), 0
        else:
            b.status, b.decided_at = "rejected", min(decided, now)
            b.reject_reason = "该时段已安排内部实验"
    return b


def _ratings(rng):
    done = db.session.scalars(db.select(Booking).outerjoin(Rating, Rating.booking_id == Booking.id).where(
        Booking.status.in_(("completed", "settled")), Rating.id.is_(None))).all()
    for b in done:
        if rng.random() < 0.6:
            score = rng.choices((5, 4, 3, 2), weights=(55, 30, 10, 5))[0]
            db.session.add(Rating(booking_id=b.id, instrument_id=b.instrument_id, provider_org_id=b.provider_org_id,
                                  user_id=b.user_id, score=score, comment=rng.choice(COMMENTS),
                                  created_at=(b.completed_at or b.end) + timedelta(hours=rng.randint(1, 48))))
    db.session.flush()
