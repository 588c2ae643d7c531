"""Demo events: a dozen past and upcoming, with registrations, a full one with a waitlist, and check-ins
at the past ones. Inserted directly (past events could not be published today) but keeping the seat
counter equal to the registered rows, as the services do."""
import secrets
from datetime import timedelta

import sqlalchemy as sa

from ..accounts.models import User
from ..core.timeutil import utcnow
from ..extensions import db
from .models import Event, EventRegistration

EVENTS = [  # (title, kind, platform, city, venue, days from now, capacity)
    ("2026 江苏省产学研合作成果展示洽谈会", "fair", "talent", "南京", "南京国际博览中心 3 号馆", -60, 300),
    ("苏科贷政策宣讲与银企对接会（苏州专场）", "matchmaking", "finance", "苏州", "苏州工业园区科技金融广场", -30, 120),
    ("科技副总选派工作培训班", "training", "talent", "南京", "江苏省科技资源统筹服务中心 培训室", -21, 60),
    ("生物医药创新载体开放日", "matchmaking", "startup", "泰州", "中国医药城会展中心", -14, 80),
    ("大型科学仪器共享服务培训", "training", "sharing", "无锡", "无锡太湖国际科技园", -7, 50),
    ("新材料产业技术对接会", "matchmaking", "talent", "常州", "常州科教城创研港", 5, 8),
    ("科技型中小企业股权融资路演", "matchmaking", "finance", "南京", "南京江北新区研创园", 9, 100),
    ("众创空间创业导师见面会", "matchmaking", "startup", "南通", "南通创新区紫琅科技城", 12, 40),
    ("智能制造成果展示洽谈会", "fair", "talent", "苏州", "苏州国际博览中心 B 馆", 18, 500),
    ("技术合同认定登记业务培训", "training", None, "徐州", "徐州高新区科技大厦", 24, 60),
    ("科技金融产品集中发布会", "fair", "finance", "扬州", "扬州科技综合体", 33, 200),
    ("高校院所科研设施开放对接会", "matchmaking", "startup", "镇江", "镇江市科技馆报告厅", 45, 150),
]


def _code(used):
    while True:
        code = "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(8))
        if code not in used:
            used.add(code)
            return code


def seed_events(rng) -> int:
    staff = db.session.scalar(sa.select(User).where(User.email == "reviewer@demo.cn"))
    users = db.session.scalars(sa.select(User).order_by(User.id).limit(400)).all()
    if staff is None or not users:
        return 0
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    used = set(db.session.scalars(sa.select(EventRegistration.code)))
    company = db.session.scalar(sa.select(User).where(User.email == "company@demo.cn"))
    for title, kind, platform, city, venue, days, capacity in EVENTS:
        start = (now + timedelta(days=days)).replace(hour=1, minute=30)  # 09:30 in Shanghai
        event = Event(title=title, kind=kind, platform=platform, city=city, venue=venue, starts_at=start,
                      ends_at=start + timedelta(hours=7), registration_deadline=start - timedelta(days=1),
                      capacity=capacity, registered_count=0, created_by_id=staff.id,
                      created_at=start - timedelta(days=30),
                      description=f"{title}。现场安排项目路演、一对一洽谈与政策解读，欢迎高校院所、企业和金融机构参加。")
        db.session.add(event)
        db.session.flush()
        wanted = min(len(users), capacity + 3 if capacity < 10 else rng.randint(capacity // 4, capacity // 2))
        people = rng.sample(users, wanted)
        if company is not None and company not in people and days > 0:
            people[0] = company
        for i, user in enumerate(people):
            status = "registered" if i < capacity else "waitlisted"
            reg = EventRegistration(event_id=event.id, user_id=user.id, status=status, code=_code(used),
                                    queued_at=start - timedelta(days=20, minutes=-i), created_at=start - timedelta(days=20))
            if days < 0 and status == "registered" and rng.random() < 0.8:
                reg.checked_in_at = start + timedelta(minutes=rng.randint(-30, 40))
            db.session.add(reg)
            event.registered_count += status == "registered"
        db.session.flush()
    return len(EVENTS)
