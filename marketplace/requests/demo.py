"""Demo requests: every kind in every state of its machine, walked through the services (so each has a
real timeline and notifications), plus open calls. Called by the demo seeder inside a write transaction.
"""
from datetime import timedelta

import sqlalchemy as sa
from stdnum.cn import ric

from ..accounts.models import Organisation, User
from ..catalog.models import MODELS
from ..core.timeutil import utcnow
from ..extensions import db
from . import services
from .models import RequestCall
from .services import secondment
from .states import CLOSED

Y = 100
# The states each kind is left in, and the steps that lead there.
PATHS = {
    "generic": {"draft": [], "submitted": ["submit"], "accepted": ["submit", "accept"],
                "in_progress": ["submit", "accept", "progress"],
                "completed": ["submit", "accept", "progress", "complete"], "declined": ["submit", "decline"],
                "withdrawn": ["submit", "withdraw"]},
    "loan": {"draft": [], "submitted": ["submit"], "bank_review": ["submit", "accept"],
             "completed": ["submit", "accept", "progress", "grant"], "declined": ["submit", "accept", "decline"],
             "withdrawn": ["submit", "withdraw"]},
    "secondment": {"draft": [], "submitted": ["submit"], "agreement": ["submit", "accept", "confirm1"],
                   "in_progress": ["submit", "accept", "confirm3"], "completed": ["submit", "accept", "confirm3", "complete"],
                   "declined": ["submit", "decline"], "withdrawn": ["submit", "withdraw"]},
}
NOTES = ["已电话联系申请人，约定下周现场对接", "已完成现场考察，材料齐全", "双方已就合作条款达成一致"]
DECLINES = ["材料不完整，请补充近两年财务报表后重新申请", "当前名额已满，建议关注下一批次", "与本单位服务方向不符"]


def _id_number(rng, year):
    base = f"3201{rng.randint(2, 16):02d}{year}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(100, 999)}"
    return base + ric.calc_check_digit(base + "0")


def _members(org_id):
    return db.session.scalars(sa.select(User).where(User.organisation_id == org_id).order_by(User.id)).all()


def _companies():
    rows = db.session.scalars(sa.select(Organisation).where(Organisation.kind == "enterprise",
                                                            Organisation.in_province.is_(True))
                              .order_by(Organisation.id)).all()
    demo = db.session.scalar(sa.select(User).where(User.email == "company@demo.cn"))
    users = [demo] if demo is not None else []
    for org in rows:
        users += [u for u in _members(org.id)[:1] if u not in users]
    return users


def _resources(kind_key, limit=12):
    from .kinds import KINDS
    kind = KINDS[kind_key]
    model = MODELS[kind.resource_type]
    rows = db.session.scalars(sa.select(model).where(model.status == "published").order_by(model.id).limit(400)).all()
    return [r for r in rows if kind.applies(r) and _members(r.owner_org_id)][:limit]


def _data(rng, kind, resource, company):
    if kind == "incubation":
        return {"business_plan": "面向工业检测的智能传感器研发与产业化", "team": "博士 2 人、硕士 3 人",
                "team_size": 5, "seats": min(5, resource.seats or 5), "needs": "创业导师、首轮融资对接"}
    if kind == "loan":
        cap = 3_000_000 * Y
        amount = max(resource.amount_min or 0, min(cap, resource.amount_max or cap, 2_000_000 * Y))
        return {"amount": amount, "term_months": 12, "purpose": "研发投入与原材料采购", "revenue": 30_000_000 * Y}
    if kind == "equity":
        lo, hi = resource.amount_min or 1_000_000 * Y, resource.amount_max or 50_000_000 * Y
        return {"amount": max(lo, min(hi, 8_000_000 * Y)), "stage": rng.choice(["angel", "series_a", "series_b"]),
                "business_plan": "新一代储能材料量产线建设", "use_of_funds": "产线建设与市场拓展"}
    if kind == "finance_service":
        return {"amount": None, "need": "新产品首台套保险投保咨询与办理"}
    if kind == "consulting":
        return {"topic": "工艺优化咨询", "question": "希望就现有产线良率提升进行技术咨询", "mode": rng.choice(["online", "onsite"])}
    if kind == "data_access":
        return {"purpose": "用于企业研发中的模型训练与验证", "agree_licence": True}
    if kind == "material":
        return {"quantity": min(2, resource.quantity or 2), "purpose": "研发验证实验", "shipping_address": "苏州工业园区星湖街 328 号"}
    raise ValueError(kind)


def _researcher(rng, talent, n):
    """An account for the listed expert in the sending unit (the demo's listings have none); the first is
    the demo account researcher@demo.cn."""
    first = db.session.scalar(sa.select(User.id).where(User.email == "researcher@demo.cn")) is None
    email = "researcher@demo.cn" if first else f"researcher{n}@demo.cn"
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        member = _members(talent.owner_org_id)[0]
        user = User(email=email, name=talent.person_name[:60], password_hash=member.password_hash,
                    organisation_id=talent.owner_org_id)
        db.session.add(user)
        db.session.flush()
    return user


def _walk(req, steps, actor_of, rng):
    for step in steps:
        if step == "submit":
            services.submit_request(req, actor=actor_of("requester"))
        elif step == "accept":
            services.accept_request(req, actor=actor_of("handler"))
        elif step == "progress":
            services.add_progress(req, actor=actor_of("handler"), note=rng.choice(NOTES))
        elif step == "complete":
            services.complete_request(req, actor=actor_of("handler"))
        elif step == "grant":
            services.grant_request(req, actor=actor_of("handler"))
        elif step == "decline":
            services.decline_request(req, actor=actor_of("handler"), reason=rng.choice(DECLINES))
        elif step == "withdraw":
            services.withdraw_request(req, actor=actor_of("requester"), reason="企业调整计划")
        elif step.startswith("confirm"):
            for party in ("requester", "researcher", "sending_unit")[:int(step[-1])]:
                secondment.confirm(req, actor=actor_of(party))


def seed_requests(rng) -> int:
    from .kinds import KINDS
    staff = db.session.scalar(sa.select(User).where(User.email == "reviewer@demo.cn"))
    companies = _companies()
    if staff is None or not companies:
        return 0
    made = 0
    _bank_account()
    for key in KINDS:
        paths = PATHS.get(key, PATHS["generic"])
        resources = _resources(key)
        if not resources:
            continue
        for i, (state, steps) in enumerate(paths.items()):
            resource = resources[i % len(resources)]
            company = companies[(made + i) % len(companies)]
            handler = _members(resource.owner_org_id)[0]
            if key == "secondment":
                researcher = _researcher(rng, resource, made + i)
                data = {"researcher_email": researcher.email, "id_number": _id_number(rng, rng.randint(1978, 1990)),
                        "degree": "phd", "term_months": 24, "total_pay": rng.choice([150_000, 200_000, 240_000]) * Y,
                        "duties": "担任企业科技副总，牵头新产品研发与产学研合作"}
            else:
                researcher, data = None, _data(rng, key, resource, company)
            req = services.create_request(key, resource.id, data, actor=company)
            sides = {"requester": company, "researcher": researcher, "sending_unit": handler}

            def actor_of(role, req=req, handler=handler, sides=sides):
                if role == "handler":
                    return staff if services.handler_side(req) == "staff" else handler
                return sides[role]

            _walk(req, steps, actor_of, rng)
            assert req.status == state or (state in CLOSED and req.status == state), (key, state, req.status)
            made += 1
    _calls()
    return made


def _bank_account():
    """bank@demo.cn: an admin of the bank whose loan product the demo's loan requests go to."""
    loans = _resources("loan", limit=1)
    if not loans or db.session.scalar(sa.select(User.id).where(User.email == "bank@demo.cn")):
        return
    member = _members(loans[0].owner_org_id)[0]
    db.session.add(User(email="bank@demo.cn", name="钱立（科技支行客户经理）", password_hash=member.password_hash,
                        organisation_id=loans[0].owner_org_id, org_admin=True))
    db.session.flush()


def _calls():
    now = utcnow()
    loans = _resources("loan", limit=1)
    incubators = _resources("incubation", limit=1)
    calls = [RequestCall(kind="loan", title="2026 年度苏科贷备选企业库入库申报", platform="finance",
                         resource_id=loans[0].id if loans else None, opens_at=now - timedelta(days=20),
                         deadline=now + timedelta(days=40), description="面向省内科技型中小企业，额度按营业收入档次核定。"),
             RequestCall(kind="incubation", title="众创空间 2027 春季入驻招募", platform="startup",
                         resource_id=incubators[0].id if incubators else None, opens_at=now - timedelta(days=5),
                         deadline=now + timedelta(days=25)),
             RequestCall(kind="secondment", title="2026 年科技副总选派（第二批）", platform="talent",
                         opens_at=now - timedelta(days=10), deadline=now + timedelta(days=30)),
             RequestCall(kind="loan", title="2026 年度苏科贷上半年批次（已截止）", platform="finance",
                         opens_at=now - timedelta(days=200), deadline=now - timedelta(days=100))]
    db.session.add_all(calls)
    db.session.flush()
