"""Census fixtures: a small world of providers, users and instruments, and a raw booking writer."""
from datetime import datetime

import pytest

from marketplace.booking.models import Booking
from marketplace.extensions import db

YEAR = 2025


@pytest.fixture
def world(make_org, make_user, make_resource):
    """Two providers (one with a lab under it), three companies (one a subsidiary of provider A)."""
    uni = make_org(name="南京某大学", kind="university", city="南京")
    lab = make_org(name="南京某大学分析测试中心", kind="university", city="南京", parent_id=uni.id)
    inst_b = make_org(name="苏州某研究院", kind="research_institute", city="苏州")
    co1 = make_org(name="无锡某科技公司", kind="enterprise", city="无锡")
    co2 = make_org(name="常州某材料公司", kind="enterprise", city="常州")
    sub = make_org(name="南京某大学科技公司", kind="enterprise", city="南京", parent_id=uni.id)
    users = {o.id: make_user(org=o) for o in (uni, lab, inst_b, co1, co2, sub)}
    instruments = [
        make_resource("instrument", lab, title="扫描电镜", category_l1="分析仪器"),
        make_resource("instrument", lab, title="核磁共振", category_l1="专用仪器"),
        make_resource("instrument", inst_b, title="X 射线衍射仪", city="苏州", category_l1="分析仪器"),
        make_resource("instrument", inst_b, title="质谱仪", city="苏州", category_l1="专用仪器",
                      price_unit="sample", internal_price=5_000, external_price=9_000),
    ]
    return {"orgs": {"uni": uni, "lab": lab, "inst_b": inst_b, "co1": co1, "co2": co2, "sub": sub},
            "users": users, "instruments": instruments}


@pytest.fixture
def add_booking():
    def _add(inst, user, start: datetime, end: datetime, status="settled", actual=None, fee=10_000, **kw):
        b = Booking(instrument_id=inst.id, user_id=user.id, org_id=user.organisation_id,
                    provider_org_id=inst.owner_org_id, start=start, end=end, purpose="测试", status=status,
                    price_unit="hour", unit_price=100, internal=user.organisation_id == inst.owner_org_id,
                    service_mode="staff_operated", fee=fee, **kw)
        if actual:
            b.actual_start, b.actual_end = actual
        db.session.add(b)
        db.session.commit()
        return b
    return _add
