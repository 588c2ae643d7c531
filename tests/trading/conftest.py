"""A small trading world: a seller lab with achievements, a buyer company, a broker, a reviewer."""
from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pytest

from marketplace.extensions import db

NOW = datetime(2026, 12, 1, 2, 0)  # naive UTC: 10:00 in Nanjing


def make_firm(org, user, status="approved", id_number="110101199003074477"):
    from marketplace.filing.models import Firm, FirmManager
    firm = Firm(status=status, name=f"{org.name}", org_id=org.id, managers=[
        FirmManager(name=user.name, email=user.email, id_number=id_number, user_id=user.id,
                    active=status == "approved")])
    db.session.add(firm)
    db.session.commit()
    return firm


@pytest.fixture
def world(app, make_org, make_user, make_resource):
    seller = make_org(name="南京某大学", kind="university")
    buyer = make_org(name="苏州某科技公司", kind="enterprise", city="苏州")
    other = make_org(name="无锡某公司", kind="enterprise", city="无锡")
    firm_org = make_org(name="某技术经理人事务所", kind="service_firm")
    w = SimpleNamespace(seller=seller, buyer=buyer, other=other)
    w.seller_user = make_user(seller, name="卖方")
    w.buyer_user = make_user(buyer, name="买方")
    w.other_user = make_user(other, name="路人")
    w.broker = make_user(firm_org, name="经纪人")
    w.suspended_broker = make_user(firm_org, name="被暂停的经纪人")
    w.reviewer = make_user(None, roles=("reviewer",), name="审核员")
    w.firm = make_firm(firm_org, w.broker)
    w.suspended_firm = make_firm(make_org(name="被暂停的事务所", kind="service_firm"), w.suspended_broker,
                                 status="suspended", id_number="11010519491231002X")
    w.state_owned = make_resource("achievement", seller, title="高效锂电池正极材料制备技术", state_owned=True,
                                  transaction_modes="transfer,licence", summary="锂电池 正极材料 制备")
    w.private = make_resource("achievement", seller, title="工业视觉检测算法", state_owned=False,
                              summary="机器视觉 缺陷检测")
    w.fixed = make_resource("achievement", seller, title="污水处理膜组件", state_owned=True, listing_mode="fixed",
                            asking_price=50_000_000)
    return w


@pytest.fixture
def make_demand(app, world):
    from marketplace.trading.models import Demand

    def _make(org=None, status="published", **kw):
        values = {"title": "寻求锂电池正极材料技术", "summary": "提高能量密度", "field": "新能源", "city": "苏州",
                      "budget_min": 1_000_000, "budget_max": 100_000_000, "deadline": date(2027, 6, 30)}
        values.update(kw)
        d = Demand(org_id=(org or world.buyer).id, status=status, published_at=NOW if status == "published" else None,
                   **values)
        db.session.add(d)
        db.session.commit()
        return d

    return _make


def mandate(deal, *members, now=NOW):
    """Each member confirms the deal's broker for their organisation (委托)."""
    from marketplace.trading import services
    for member in members:
        services.confirm_mandate(deal, actor=member, now=now)


def sign_both(deal, first, second, now=NOW, **terms):
    """`first` signs the terms and `second` signs the same ones: the contract is what both signed."""
    from marketplace.trading import services
    services.sign_deal(deal, actor=first, now=now, **terms)
    assert deal.status != "signed"
    return services.sign_deal(deal, actor=second, now=now, **terms)


def schedule(total, parts=2, start=date(2026, 12, 31)):
    amounts = [total // parts] * parts
    amounts[-1] += total - sum(amounts)
    return [(start + timedelta(days=30 * i), a) for i, a in enumerate(amounts)]
