"""Registering a person with a new organisation, logging in and out, passwords stored hashed."""
from urllib.parse import urljoin, urlparse

import pytest
import sqlalchemy as sa
from werkzeug.security import check_password_hash

from marketplace.accounts.models import Organisation, User
from marketplace.extensions import db

PASSWORD = "Jiangsu-2026!"


def register_form(**overrides):
    data = {"name": "陈经理", "email": "chen@yangzi-chem.cn", "password": PASSWORD, "confirm": PASSWORD,
            "org_name": "扬子新材料科技有限公司", "org_kind": "enterprise", "org_city": "南通",
            "sme": "y", "high_tech": "y", "in_province": "y"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_register_an_enterprise_with_its_flags_then_log_out_and_in(client):
    resp = client.post("/register", data=register_form())
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/organisation")
    user = db.session.scalar(db.select(User))
    org = user.organisation
    assert (org.name, org.kind, org.city, org.sme, org.high_tech, org.in_province) == \
        ("扬子新材料科技有限公司", "enterprise", "南通", True, True, True)
    assert user.org_admin and user.email == "chen@yangzi-chem.cn"

    page = client.get("/organisation").get_data(as_text=True)  # logged in straight away
    assert "扬子新材料科技有限公司" in page and "科技型中小企业" in page and "高新技术企业" in page
    assert "陈经理" in client.get("/").get_data(as_text=True)

    assert client.post("/logout").status_code == 302
    assert client.get("/organisation").status_code == 302  # back to the login page
    assert "陈经理" not in client.get("/").get_data(as_text=True)

    resp = client.post("/login", data={"email": "Chen@Yangzi-Chem.cn ", "password": PASSWORD})
    assert resp.status_code == 302
    assert "陈经理" in client.get("/").get_data(as_text=True)


def test_out_of_province_enterprise_without_flags(client):
    client.post("/register", data=register_form(sme=None, high_tech=None, in_province=None))
    org = db.session.scalar(db.select(Organisation))
    assert (org.sme, org.high_tech, org.in_province) == (False, False, False)
    assert "省外企业" in client.get("/organisation").get_data(as_text=True)


@pytest.mark.parametrize("kind", ["university", "research_institute", "service_firm", "finance_institution",
                                  "incubator", "government"])
def test_non_enterprise_kinds_never_carry_the_enterprise_flags(kind, client):
    resp = client.post("/register", data=register_form(org_kind=kind, org_name=f"某{kind}"))
    assert resp.status_code == 302
    org = db.session.scalar(db.select(Organisation))
    assert org.kind == kind and not org.sme and not org.high_tech


def test_password_is_stored_hashed_never_in_clear(client):
    client.post("/register", data=register_form())
    user = db.session.scalar(db.select(User))
    assert PASSWORD not in user.password_hash and check_password_hash(user.password_hash, PASSWORD)
    row = db.session.execute(sa.text("SELECT * FROM users")).mappings().one()
    assert not any(PASSWORD in str(v) for v in row.values())


def test_wrong_password_is_refused_with_a_message(client, make_user):
    user = make_user()
    resp = client.post("/login", data={"email": user.email, "password": "not-the-password"})
    assert resp.status_code == 200 and "邮箱或密码错误" in resp.get_data(as_text=True)
    assert "退出" not in client.get("/").get_data(as_text=True)


def test_disabled_account_cannot_log_in(client, make_user):
    user = make_user(active=False)
    resp = client.post("/login", data={"email": user.email, "password": "demo12345"})
    assert resp.status_code == 200 and "账号已停用" in resp.get_data(as_text=True)


@pytest.mark.parametrize("target, expected", [
    ("/my/resources", "/my/resources"), ("https://evil.example/", "/"), ("//evil.example/x", "/"),
    ("/\\evil.example", None)])
def test_login_returns_only_to_pages_of_this_site(target, expected, client, make_user):
    user = make_user()
    resp = client.post("/login", query_string={"next": target}, data={"email": user.email, "password": "demo12345"})
    location = resp.headers["Location"]
    if expected:
        assert location == expected
    # wherever it goes, a browser stays on this host (WHATWG URL parsing treats "\\" like "/")
    assert urlparse(urljoin("http://localhost/", location.replace("\\", "/"))).netloc == "localhost"


def test_taken_email_and_taken_organisation_name_are_explained(client, make_org, make_user):
    make_user(email="taken@demo.cn")
    make_org(name="已注册的大学")
    resp = client.post("/register", data=register_form(email="taken@demo.cn"))
    assert "该邮箱已注册" in resp.get_data(as_text=True)
    resp = client.post("/register", data=register_form(org_name="已注册的大学"))
    assert "该单位已注册" in resp.get_data(as_text=True)
    assert db.session.scalar(db.select(sa.func.count(Organisation.id))) == 1
    assert db.session.scalar(db.select(sa.func.count(User.id))) == 1
