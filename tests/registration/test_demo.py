"""The demo seeder's registrations: ~500 across states, types, fields and cities, some overdue;
numbers unique and consecutive per year, city and point."""
import random
from collections import defaultdict

import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.registration import rules
from marketplace.registration.demo import seed_registrations
from marketplace.registration.models import ContractRegistration as CR
from marketplace.registration.services import today_local


def test_seed_registrations_spread(app, make_org, make_user):
    cities = ["南京", "苏州", "无锡", "徐州", "南通", "常州"]
    orgs = [make_org(kind=k, city=cities[i % len(cities)], name=f"单位{i}")
            for i, k in enumerate(["university", "research_institute", "enterprise", "enterprise", "enterprise", "enterprise"])]
    org_dicts = [{"id": o.id, "name": o.name, "kind": o.kind, "city": o.city, "credit_code": None} for o in orgs]
    users = [make_user(org=o) for o in orgs]
    n = seed_registrations(random.Random(7), org_dicts, users)
    db.session.commit()
    assert n == 500
    regs = db.session.scalars(sa.select(CR)).all()
    assert {r.status for r in regs} == {"draft", "submitted", "returned", "registered", "refused", "cancelled"}
    assert {r.contract_type for r in regs} == {"development", "transfer", "licence", "consulting", "service"}
    assert len({r.tech_field for r in regs}) >= 8 and len({r.seller_city_code for r in regs}) == 6
    today = today_local()
    overdue = [r for r in regs if r.status == "submitted" and r.due_on < today]
    assert 5 <= len(overdue) < len([r for r in regs if r.status == "submitted"])
    for r in regs:
        assert rules.normalise_uscc(r.seller_uscc) and rules.normalise_uscc(r.buyer_uscc)
        assert r.tech_amount == r.total_amount - r.non_tech_amount >= 0
    serials = defaultdict(list)
    for r in regs:
        if r.status in ("registered", "cancelled"):
            assert r.number and len(r.number) == 14
            serials[r.number[:8]].append(int(r.number[8:]))
    for prefix, numbers in serials.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), prefix
