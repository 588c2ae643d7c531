"""Demo data of the trading platform: ~300 demands, ~200 deals in every state (some
state-owned in public notice, one objected), the demo broker's firm, instalments paid with traceable
ledger entries. Made through the services (audited, with a set clock) where a person would act."""
from datetime import date, timedelta

import sqlalchemy as sa

from ..accounts.models import Organisation, User
from ..catalog.models import Achievement, Resource
from ..core.timeutil import utcnow
from ..extensions import db
from . import services as D
from .models import Deal, Demand
from .services.demands import today_local

PROBLEMS = ["提高{x}的良品率", "降低{x}的生产成本", "实现{x}的国产化替代", "提升{x}的能量效率", "解决{x}的一致性问题",
            "缩短{x}的研发周期", "提高{x}的自动化水平", "降低{x}的能耗与排放"]
DEAL_PLAN = {"negotiating": 50, "agreed": 24, "public_notice": 20, "objected": 1, "signed": 30, "paid": 15,
             "completed": 40, "cancelled": 20}


def _demo_firm(broker: User | None):
    """The demo broker's filed firm: the filing domain's demo makes it; without it, a minimal approved one."""
    from ..filing.models import Firm, FirmManager
    from .services.brokers import active_broker_firm
    if broker is None:
        return None
    firm = active_broker_firm(broker)
    if firm is None:
        org = broker.organisation
        firm = Firm(status="approved", name=getattr(org, "name", None) or "江苏技术经理人事务所（演示）",
                    org_id=broker.organisation_id, city="南京", approved_at=utcnow(), managers=[
                        FirmManager(name=broker.name, email=broker.email, user_id=broker.id, level="senior",
                                    id_number="320102198001010015", active=True)])
        db.session.add(firm)
        db.session.flush()
    return firm


def seed_demands(rng, companies: list[dict], n: int = 300) -> int:
    """Demands of companies, in every state, drawn from the achievements' subjects so that they match."""
    if not companies:
        return 0
    now = utcnow()
    today = today_local(now)
    subjects = db.session.execute(sa.select(Resource.title, Resource.discipline).where(
        Resource.type == "achievement", Resource.status == "published").limit(2000)).all()
    if not subjects:
        return 0
    statuses = ["published"] * 230 + ["pending_review"] * 20 + ["draft"] * 15 + ["rejected"] * 10 + \
        ["offline"] * 10 + ["expired"] * 15
    rows = []
    for i in range(n):
        title, disc = rng.choice(subjects)
        core = title.split("（")[0]
        problem = rng.choice(PROBLEMS).format(x=core[:18])
        org = rng.choice(companies)
        status = statuses[i % len(statuses)]
        lo = rng.randint(1, 200) * 10_000 * 100
        deadline = today - timedelta(days=rng.randint(1, 60)) if status == "expired" else \
            today + timedelta(days=rng.randint(20, 365))
        published = now - timedelta(days=rng.randint(0, 120), minutes=i)
        rows.append({"org_id": org["id"], "title": f"寻求{core[:40]}相关技术：{problem}"[:200],
                     "summary": f"{org['name']}希望{problem}，寻求高校院所与科技企业的成熟技术或联合攻关。"[:500],
                     "description": f"需求背景：{problem}。期望技术成熟度 TRL 6 以上，可接受转让、许可或合作开发。",
                     "field": (disc or "材料科学")[:60], "city": org["city"], "budget_min": lo,
                     "budget_max": lo * rng.choice([2, 3, 5]) if rng.random() < 0.8 else None,
                     "deadline": deadline, "status": status,
                     "reject_reason": "预算与需求描述不清晰，请补充" if status == "rejected" else None,
                     "notify_matches": rng.random() < 0.2, "created_at": published, "updated_at": published,
                     "published_at": published if status in ("published", "offline", "expired") else None})
    db.session.execute(sa.insert(Demand), rows)
    return n


def _schedule(total, start: date, parts: int):
    amounts = [total // parts] * parts
    amounts[-1] += total - sum(amounts)
    return [(start + timedelta(days=60 * i), a) for i, a in enumerate(amounts)]


def _pay_all(deal: Deal, upto: int | None = None, *, actor, release: bool = False):
    """Record instalments transferred into the supervised account as a matched bank statement would (no
    bank in the seed); with `release`, the buyer confirmed each milestone."""
    from .services.supervision import confirm_instalment, receive_instalment
    for inst in deal.instalments[:upto]:
        receive_instalment(inst, via="transfer", reference=f"demo-{deal.id}-{inst.seq}", actor=actor)
        if release:
            confirm_instalment(deal, inst.seq, actor=actor)


def seed_deals(rng, users: list[User]) -> int:
    """About 200 deals in every state, made through the services with the clock set in the past."""
    by_email = {u.email: u for u in users}
    broker = by_email.get("broker@demo.cn")
    reviewer = by_email.get("reviewer@demo.cn") or db.session.scalar(sa.select(User).where(User.email == "reviewer@demo.cn"))
    firm = _demo_firm(broker)
    achievements = db.session.scalars(sa.select(Achievement).where(Achievement.status == "published")
                                      .order_by(Achievement.id).limit(3000)).all()
    state_owned = [a for a in achievements if a.state_owned]
    companies = db.session.scalars(sa.select(Organisation.id).where(Organisation.kind == "enterprise")).all()
    members: dict[int, User] = {}
    for u in db.session.scalars(sa.select(User).where(User.organisation_id.is_not(None))):
        members.setdefault(u.organisation_id, u)
    if by_email.get("company@demo.cn"):
        members[by_email["company@demo.cn"].organisation_id] = by_email["company@demo.cn"]
    if not achievements or not companies or reviewer is None:
        return 0
    outsider = by_email.get("company@demo.cn") or next(iter(members.values()))
    now = utcnow()
    made = 0
    for status, count in DEAL_PLAN.items():
        for k in range(count):
            pool = state_owned if status in ("public_notice", "objected") and state_owned else achievements
            ach = rng.choice(pool)
            seller = members.get(ach.owner_org_id)
            buyer_org = rng.choice([c for c in companies if c != ach.owner_org_id])
            buyer = members.get(buyer_org)
            if seller is None or buyer is None:
                continue
            brokered = broker is not None and firm is not None and (k % 3 == 0 or (status == "public_notice" and k < 3))
            start = now - timedelta(days=rng.randint(1, 10) if status in ("public_notice", "objected")
                                    else rng.randint(20, 300))
            modes = [m for m in (ach.transaction_modes or "transfer").split(",") if m] or ["transfer"]
            price = ach.asking_price or rng.randint(10, 3000) * 10_000 * 100
            first = max(100, int(price * rng.uniform(0.6, 0.9)))
            deal = D.create_deal(actor=broker if brokered else buyer, mode=rng.choice(modes), amount=first,
                                 message="希望以此价格受让，可面谈", achievement_id=ach.id,
                                 buyer_org_id=buyer_org if brokered else None,
                                 seller_org_id=ach.owner_org_id if brokered else None, now=start)
            if brokered:  # both parties mandate the broker (委托) before it acts for them
                D.confirm_mandate(deal, actor=buyer, now=start)
                D.confirm_mandate(deal, actor=seller, now=start)
            made += 1
            if deal.status == "agreed":  # a fixed listing's price: agreed at once
                pass
            else:
                D.make_offer(deal, actor=seller, amount=price, message="我方报价", now=start + timedelta(hours=5))
                if status == "negotiating":
                    continue
                if status == "cancelled" and k % 2:
                    D.cancel_deal(deal, actor=buyer, reason_code=rng.choice(["price", "terms", "withdrawn"]),
                                  comment="双方未能就价格达成一致", now=start + timedelta(days=2))
                    continue
                agreed = int(price * rng.uniform(0.85, 1.0))
                D.make_offer(deal, actor=buyer, amount=agreed, message="折中价格", now=start + timedelta(days=1))
                D.accept_offer(deal, actor=seller, now=start + timedelta(days=2))
            if status in ("public_notice", "objected"):
                if deal.status != "public_notice":
                    continue
                if status == "objected":
                    D.object_to_deal(deal, actor=outsider, reason="成交价格明显低于同类成果评估价值，请核实",
                                     now=start + timedelta(days=3))
                continue
            if status == "cancelled":
                if deal.status == "objected" or deal.status == "public_notice":
                    D.object_to_deal(deal, actor=outsider, reason="未履行资产评估程序", now=start + timedelta(days=3))
                    D.resolve_objection(deal, actor=reviewer, upheld=True, comment="异议成立",
                                        now=start + timedelta(days=5))
                else:
                    D.cancel_deal(deal, actor=seller, reason_code="other", comment="买方战略调整",
                                  now=start + timedelta(days=3))
                continue
            if deal.status == "public_notice":  # the notice ran its course without objection
                from .services.sweep import end_notices
                end_notices(deal.notice_ends_at)
            if status == "agreed":
                continue
            total = deal.amount
            parts = rng.choice([1, 2, 3])
            contract = {"contract_type": rng.choice(["transfer", "licence", "development"]), "total_amount": total,
                        "tech_amount": int(total * 0.9), "now": (deal.notice_ends_at or start) + timedelta(days=1),
                        "instalments": _schedule(total, today_local(start) + timedelta(days=30), parts)}
            # A brokered contract is signed by the broker for both mandating parties; else by each party.
            for signer in ((broker,) if brokered else (seller, buyer)):
                D.sign_deal(deal, actor=signer, **contract)
            db.session.flush()
            if status == "signed":
                if parts > 1 and k % 2:
                    _pay_all(deal, upto=1, actor=buyer)
                continue
            _pay_all(deal, actor=buyer, release=status == "completed")
            if status == "completed":
                D.complete_deal(deal, actor=seller)
    db.session.flush()
    return made


def seed_trading(rng, companies: list[dict], users: list[User]) -> str:
    demands = seed_demands(rng, companies)
    deals = seed_deals(rng, users)
    return f"{demands} demands, {deals} deals"
