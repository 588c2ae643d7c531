"""Demo registrations: ~500 applications across states, types, fields and cities, some overdue.

Called by the demo seeder (marketplace/demo/seed.py) inside a write transaction. It writes rows
directly (no notifications) but keeps every rule: valid USCCs and city codes, 技术交易额 computed,
deadlines from the working-day rule, numbers from the same gap-free counter as approvals.
"""
from datetime import timedelta

from ..accounts.models import User
from ..core.audit import record
from ..core.timeutil import to_local, utcnow
from ..extensions import db
from . import rules
from .models import ContractRegistration, RegistrationGround, RegistrationItem
from .reference import GROUNDS, IP_KINDS, JIANGSU_CITY_CODES, SUBTYPES, TECH_FIELDS
from .services.review import next_serial

CITY_TO_CODE = {name: code for code, name in JIANGSU_CITY_CODES.items()}
OUTSIDE = [("上海", "3101"), ("北京", "1101"), ("杭州", "3301"), ("合肥", "3401"), ("深圳", "4403")]
SUBJECTS = ["高性能锂电池正极材料", "工业机器人视觉检测系统", "新型抗肿瘤药物制剂", "智能电网故障诊断",
            "高分子膜分离", "水稻抗逆新品种选育", "城市轨道交通信号控制", "固废资源化利用", "半导体封装测试",
            "风电叶片复合材料", "医学影像人工智能辅助诊断", "氢燃料电池电堆", "智慧水务管理平台", "航空发动机叶片涂层"]
TYPE_WEIGHTS = [("development", 40), ("transfer", 15), ("licence", 8), ("consulting", 12), ("service", 25)]
NATURE_OF_KIND = {"university": "university", "research_institute": "research_institute", "enterprise": "enterprise"}
STATES = [("registered", 62), ("submitted", 14), ("returned", 6), ("draft", 7), ("refused", 7), ("cancelled", 4)]


def _pick(rng, weighted):
    return rng.choices([k for k, _w in weighted], [w for _k, w in weighted])[0]


def _party(rng, org: dict | None, outside_ok: bool = False) -> dict:
    from ..demo.generator import credit_code
    if org is not None:
        return {"name": org["name"], "uscc": org["credit_code"] or credit_code(rng, org["city"]),
                "city_code": CITY_TO_CODE.get(org["city"], "3201"),
                "nature": NATURE_OF_KIND.get(org["kind"], "other")}
    city, code = rng.choice(OUTSIDE) if outside_ok else rng.choice(list(CITY_TO_CODE.items()))
    uscc = credit_code(rng, "南京")  # a valid code; its division is not checked against the city
    return {"name": f"{city}{rng.choice(['智造', '华科', '新创', '瑞达', '恒通'])}科技有限公司{rng.randint(1, 99)}",
            "uscc": uscc, "city_code": code, "nature": "enterprise"}


def seed_registrations(rng, orgs: list[dict], users: list, count: int = 500, point: str = "01") -> int:
    """Create `count` applications; return how many were created."""
    sellers = [o for o in orgs if o["kind"] in ("university", "research_institute", "enterprise") and o.get("id")]
    buyers = [o for o in orgs if o["kind"] == "enterprise" and o.get("id")]
    if not sellers or not buyers:
        return 0
    demo_company = next((u for u in users if u.email == "company@demo.cn"), None)
    reviewer = db.session.scalar(db.select(User).where(User.email == "reviewer@demo.cn"))
    members = {}
    for u in users:
        if u.organisation_id is not None:
            members.setdefault(u.organisation_id, u)
    today = to_local(utcnow()).date()
    created = []
    for n in range(count):
        seller_org = rng.choice(sellers)
        if demo_company is not None and n % 25 == 0:  # the demo company has a few of its own
            seller_org = next((o for o in sellers if o["id"] == demo_company.organisation_id), seller_org)
        buyer_org = rng.choice([b for b in buyers if b["id"] != seller_org["id"]] or buyers)
        seller = _party(rng, seller_org)
        buyer = _party(rng, buyer_org) if rng.random() < 0.8 else _party(rng, None, outside_ok=True)
        ctype = _pick(rng, TYPE_WEIGHTS)
        subtypes = list(SUBTYPES[ctype])
        total = rng.choice([5, 10, 20, 30, 50, 80, 120, 200, 350, 600, 900]) * 1_000_000 + rng.randint(0, 99) * 100
        items = []
        if ctype in ("development", "service") and rng.random() < 0.4:
            items.append(("设备购置", total * rng.randint(5, 30) // 100))
        status = _pick(rng, STATES)
        signed = today - timedelta(days=rng.randint(20, 420))
        reg = ContractRegistration(
            kind="new", applicant_org_id=seller_org["id"], created_by_id=getattr(members.get(seller_org["id"]), "id", None),
            status=status, project_name=f"{rng.choice(SUBJECTS)}{ {'development': '技术开发', 'transfer': '技术转让', 'licence': '技术许可', 'consulting': '技术咨询', 'service': '技术服务'}[ctype]}合同",
            contract_type=ctype, subtype=rng.choice(subtypes) if subtypes else None,
            **{f"seller_{k}": v for k, v in seller.items()}, **{f"buyer_{k}": v for k, v in buyer.items()},
            signed_on=signed, valid_until=signed + timedelta(days=rng.choice([180, 365, 730, 1095])),
            tech_field=rng.choice(list(TECH_FIELDS)), ip_kind=rng.choice(list(IP_KINDS)),
            total_amount=total, non_tech_amount=sum(a for _n, a in items),
            tech_amount=rules.tech_amount(total, [a for _n, a in items]),
        )
        reg.items = [RegistrationItem(position=i, name=name, amount=a) for i, (name, a) in enumerate(items)]
        if status != "draft":
            reg.submitted_on = min(signed + timedelta(days=rng.randint(3, 30)), today)
        if status in ("registered", "cancelled", "refused") or (status == "submitted" and rng.random() < 0.6):
            reg.buyer_confirmed_at = utcnow()  # the buyer confirmed (some submitted ones still wait for it)
        if status == "submitted":
            # some were submitted long ago and are now overdue
            reg.submitted_on = today - timedelta(days=rng.choice([2, 5, 9, 14, 20, 30, 45, 60]))
            reg.due_on, reg.due_provisional = rules.due_date(reg.submitted_on, reg.tech_amount)
        elif status == "returned":
            reg.review_comment = rng.choice(["请补充技术方案", "请补充专利权属证明", "合同签章页不清晰，请重新上传"])
        elif status == "refused":
            codes = rng.sample(list(GROUNDS)[:-1], rng.randint(1, 2))
            reg.ground_rows = [RegistrationGround(code=c) for c in codes]
        elif status in ("registered", "cancelled"):
            reg.registered_on = min(reg.submitted_on + timedelta(days=rng.randint(5, 25)), today)
            reg.registered_by_id = getattr(reviewer, "id", None)
        created.append(reg)
    # numbers in order of registration day, from the same counter approvals use
    for reg in sorted((r for r in created if r.registered_on), key=lambda r: r.registered_on):
        city = rules.number_city(reg.seller_city_code, reg.buyer_city_code, "3201")
        reg.number = rules.registration_number(reg.registered_on.year, city, point,
                                               next_serial(reg.registered_on.year, city, point))
        reg.check_code = rules.new_check_code()
    db.session.add_all(created)
    db.session.flush()
    for reg in created:
        record("contract_registration", reg.id, "demo", actor=None, to_state=reg.status, comment=reg.review_comment)
    return len(created)
