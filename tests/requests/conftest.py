"""Fixtures of the request engine: a Jiangsu company, a university with a researcher, a bank with a
苏科贷 product, platform staff, and a listing of each kind."""
from datetime import date

import pytest
from stdnum.cn import ric

from marketplace.extensions import db


def id_number(birth: date, region: str = "320102") -> str:
    base = f"{region}{birth:%Y%m%d}123"
    return base + ric.calc_check_digit(base + "0")


YOUNG_ID = id_number(date(1985, 6, 1))   # 41 in 2026
OLD_ID = id_number(date(1960, 6, 1))     # 66
YUAN = 100


@pytest.fixture
def world(make_org, make_user, make_resource):
    class W:
        pass
    w = W()
    w.company = make_org(name="苏州测试科技有限公司", kind="enterprise", city="苏州", sme=True)
    w.company_user = make_user(org=w.company, email="company@t.cn")
    w.uni = make_org(name="南京测试大学", kind="university", city="南京")
    w.uni_user = make_user(org=w.uni, email="uni@t.cn", org_admin=True)
    w.researcher = make_user(org=w.uni, email="researcher@t.cn", name="李研究员")
    w.bank = make_org(name="测试银行南京分行", kind="finance_institution", city="南京")
    w.bank_user = make_user(org=w.bank, email="bank@t.cn")
    w.fund = make_org(name="测试创投基金", kind="finance_institution", city="南京")
    w.fund_user = make_user(org=w.fund, email="fund@t.cn")
    w.incubator_org = make_org(name="测试众创空间", kind="incubator", city="南京")
    w.incubator_user = make_user(org=w.incubator_org, email="incubator@t.cn")
    w.staff = make_user(roles=("reviewer",), email="staff@t.cn")
    w.stranger = make_user(org=make_org(name="无关企业", kind="enterprise"), email="stranger@t.cn")
    w.loan = make_resource("finance", org=w.bank, title="苏科贷", product_kind="loan",
                           amount_min=100_000 * YUAN, amount_max=10_000_000 * YUAN)
    w.equity = make_resource("finance", org=w.fund, title="苏科投", product_kind="equity_fund",
                             amount_min=1_000_000 * YUAN, amount_max=50_000_000 * YUAN)
    w.insurance = make_resource("finance", org=w.bank, title="首台套科技保险", product_kind="insurance",
                                amount_max=5_000_000 * YUAN)
    w.expert = make_resource("talent", org=w.uni, title="李研究员", person_name="李研究员", consulting=True,
                             secondment=True)
    w.incubator = make_resource("incubator", org=w.incubator_org, title="测试众创空间", seats=20)
    w.dataset = make_resource("dataset", org=w.uni, title="太湖水质数据", access_level="on_request")
    w.open_dataset = make_resource("dataset", org=w.uni, title="开放气象数据", access_level="open")
    w.strain = make_resource("bioresource", org=w.uni, title="大肠杆菌菌株", quantity=50, biosafety_level=1)
    return w


VALID = {
    "incubation": lambda w: (w.incubator, {"business_plan": "智能传感器创业项目", "team_size": 4, "seats": 4}),
    "loan": lambda w: (w.loan, {"amount": 2_000_000 * YUAN, "term_months": 12, "purpose": "研发投入",
                                "revenue": 30_000_000 * YUAN}),
    "equity": lambda w: (w.equity, {"amount": 5_000_000 * YUAN, "stage": "series_a", "business_plan": "A 轮融资"}),
    "finance_service": lambda w: (w.insurance, {"amount": 1_000_000 * YUAN, "need": "首台套装备投保"}),
    "consulting": lambda w: (w.expert, {"topic": "传感器标定", "question": "如何提高精度？"}),
    "secondment": lambda w: (w.expert, {"researcher_email": "researcher@t.cn", "id_number": YOUNG_ID,
                                        "degree": "phd", "term_months": 24, "total_pay": 150_000 * YUAN,
                                        "duties": "负责新产品研发"}),
    "data_access": lambda w: (w.dataset, {"purpose": "水环境模型研究", "agree_licence": True}),
    "material": lambda w: (w.strain, {"quantity": 2, "purpose": "教学实验", "shipping_address": "苏州工业园区"}),
}


@pytest.fixture
def make_request(world):
    from marketplace.requests import services

    def _make(kind, submit=True, actor=None, **changes):
        resource, data = VALID[kind](world)
        data = dict(data, **changes)
        req = services.create_request(kind, resource.id, data, actor=actor or world.company_user, submit=submit)
        db.session.commit()
        return req

    return _make


# Event fixtures for the browser test of the waitlist.
from tests.events.fixtures import make_event, people, staff  # noqa: E402,F401
