"""Fixtures of the registration tests: a seller organisation with a member, a buyer, a registrar,
and a valid application payload."""
import pytest
from stdnum.cn import uscc as uscc_lib

from marketplace.extensions import db


def make_uscc(body: str) -> str:
    """A valid 18-character USCC from its first 17 characters."""
    return body + uscc_lib.calc_check_digit(body)


SELLER_USCC = make_uscc("12320000466007654")   # a public institution (高校) in Jiangsu
BUYER_USCC = make_uscc("91320500MA1MXXX01")


def payload(**overrides) -> dict:
    data = {
        "project_name": "高性能锂电池正极材料技术开发",
        "contract_type": "development", "subtype": "commissioned",
        "seller": {"name": "南京工业技术大学", "uscc": SELLER_USCC, "city_code": "3201", "nature": "university"},
        "buyer": {"name": "苏州博远新材料有限公司", "uscc": BUYER_USCC, "city_code": "3205", "nature": "enterprise"},
        "signed_on": "2026-09-01", "valid_until": "2027-08-31",
        "tech_field": "new_materials", "ip_kind": "invention_patent",
        "total_amount": 120_000_000,
        "non_tech_items": [{"name": "设备购置", "amount": 20_000_000}],
        "document_ids": [],
    }
    data.update(overrides)
    return data


@pytest.fixture
def seller_org(make_org):
    """The seller of the payload: the organisation whose checked USCC the application names as seller."""
    from marketplace.verification.demo import grant
    from marketplace.verification.services import seed_identity
    org = make_org(name="南京工业技术大学", kind="university", city="南京")
    seed_identity(org, uscc=SELLER_USCC, legal_name=org.name, legal_rep="王校长")
    grant(org)  # its business licence verified: the code is its own
    db.session.commit()
    return org


@pytest.fixture
def seller(make_user, seller_org):
    return make_user(org=seller_org, email="seller@test.cn")


@pytest.fixture
def buyer_org(make_org):
    """The buyer of the payload on the hub: its business licence for BUYER_USCC verified, so its members
    confirm applications naming it (a registrar approves only confirmed ones)."""
    from marketplace.verification.demo import grant
    from marketplace.verification.services import seed_identity
    org = make_org(name="苏州博远新材料有限公司", kind="enterprise", city="苏州", verified=False)
    seed_identity(org, uscc=BUYER_USCC, legal_name=org.name, legal_rep="李总")
    grant(org)
    db.session.commit()
    return org


@pytest.fixture
def buyer(make_user, buyer_org):
    return make_user(org=buyer_org, email="buyer@test.cn")


def approve(client, headers, reg_id, **body):
    """The buyer confirms the submitted application, then the registrar approves it (the answer)."""
    resp = client.post(f"/api/v1/contract-registrations/{reg_id}/confirm", json={}, headers=headers["buyer"])
    assert resp.status_code in (200, 409), resp.get_json()  # 409: confirmed already (a cited deal)
    return client.post(f"/api/v1/contract-registrations/{reg_id}/approve", json=body, headers=headers["registrar"])


@pytest.fixture
def other_org(make_org):
    return make_org(name="无关企业", kind="enterprise", city="无锡")


@pytest.fixture
def outsider(make_user, other_org):
    return make_user(org=other_org, email="outsider@test.cn")


@pytest.fixture
def registrar(make_user, make_org):
    return make_user(org=make_org(name="省技术市场", kind="government", city="南京"), roles=("reviewer",),
                     email="registrar@test.cn")


@pytest.fixture
def headers(api_token, seller, registrar, outsider, buyer):
    return {"seller": api_token(seller), "registrar": api_token(registrar), "outsider": api_token(outsider),
            "buyer": api_token(buyer)}


@pytest.fixture
def create(client, headers):
    def _create(**overrides):
        resp = client.post("/api/v1/contract-registrations", json=payload(**overrides), headers=headers["seller"])
        assert resp.status_code == 201, resp.get_json()
        return resp.get_json()
    return _create


@pytest.fixture
def count_rows():
    def _count():
        from marketplace.registration.models import ContractRegistration
        db.session.rollback()
        return db.session.scalar(db.select(db.func.count(ContractRegistration.id)))
    return _count
