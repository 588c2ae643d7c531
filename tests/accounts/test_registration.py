"""Registering a person with a new organisation and its checked identity (USCC, legal name), confirming
the address, logging in and out; passwords stored hashed; taken addresses never revealed."""
import difflib
import re
from urllib.parse import urljoin, urlparse

import pytest
import sqlalchemy as sa
from werkzeug.security import check_password_hash

from marketplace.accounts.models import Organisation, User
from marketplace.extensions import db
from marketplace.verification.models import OrganisationIdentity

PASSWORD = "Jiangsu-2026!"
USCC_NANTONG = "91320602MA1N2K3P0F"   # registered in Jiangsu (32…)
USCC_SHANGHAI = "91310104MA1FR0AB1K"  # registered in Shanghai (31…)


def register_form(**overrides):
    data = {"name": "陈经理", "email": "chen@yangzi-chem.cn", "password": PASSWORD, "confirm": PASSWORD,
            "org_name": "扬子新材料", "org_kind": "enterprise", "org_city": "南通",
            "uscc": USCC_NANTONG, "legal_name": "扬子新材料科技有限公司", "legal_rep": "陈立新"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def outbox(app):
    app.extensions["mail_outbox"] = []
    return app.extensions["mail_outbox"]


def _link(mail) -> str:
    return re.search(r"http://localhost(/\S+)", mail["body"]).group(1)


def test_register_with_a_uscc_confirm_the_address_then_log_in_and_out(client, outbox):
    resp = client.post("/register", data=register_form())
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/register/check-mail")
    assert "请查收邮件" in client.get(resp.headers["Location"]).get_data(as_text=True)
    user = db.session.scalar(db.select(User))
    org = user.organisation
    assert (org.name, org.kind, org.city, org.in_province, org.sme, org.high_tech) == \
        ("扬子新材料", "enterprise", "南通", True, False, False)  # in Jiangsu by its USCC; no ticked flags
    ident = db.session.get(OrganisationIdentity, org.id)  # stored by verification's own service
    assert (ident.uscc, ident.legal_name, ident.legal_rep, org.credit_code) == \
        (USCC_NANTONG, "扬子新材料科技有限公司", "陈立新", USCC_NANTONG)
    assert user.org_admin and user.email == "chen@yangzi-chem.cn" and user.email_verified_at is None
    assert "陈经理" not in client.get("/").get_data(as_text=True)  # not logged in by registering

    [mail] = outbox
    assert mail["to"] == "chen@yangzi-chem.cn" and "/account/verify/" in mail["body"]
    resp = client.post("/login", data={"email": "Chen@Yangzi-Chem.cn ", "password": PASSWORD})
    assert resp.status_code == 302  # an unverified account may log in (and is told to verify)
    page = client.get("/").get_data(as_text=True)
    assert "陈经理" in page and "请验证您的邮箱" in page and "重新发送验证邮件" in page

    link = _link(mail)
    assert "确认验证" in client.get(link).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).email_verified_at is None  # a GET never writes
    assert client.post(link).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).email_verified_at is not None
    assert "请验证您的邮箱" not in client.get("/").get_data(as_text=True)

    assert client.post("/logout").status_code == 302
    assert client.get("/organisation").status_code == 302  # back to the login page
    assert "陈经理" not in client.get("/").get_data(as_text=True)


def test_out_of_province_by_its_uscc(client, login):
    client.post("/register", data=register_form(uscc=USCC_SHANGHAI))
    org = db.session.scalar(db.select(Organisation))
    assert (org.sme, org.high_tech, org.in_province) == (False, False, False)
    client.post("/login", data={"email": "chen@yangzi-chem.cn", "password": PASSWORD})
    assert "省外企业" in client.get("/organisation").get_data(as_text=True)


def test_password_is_stored_hashed_never_in_clear(client):
    client.post("/register", data=register_form())
    user = db.session.scalar(db.select(User))
    assert PASSWORD not in user.password_hash and check_password_hash(user.password_hash, PASSWORD)
    row = db.session.execute(sa.text("SELECT * FROM users")).mappings().one()
    assert not any(PASSWORD in str(v) for v in row.values())


def test_registering_a_taken_address_looks_the_same_and_mails_its_owner(client, make_user, outbox):
    owner = make_user(email="taken@demo.cn", name="老用户")
    counts = lambda: [db.session.scalar(db.select(sa.func.count(m.id))) for m in (User, Organisation)]  # noqa: E731
    before = counts()
    taken = client.post("/register", data=register_form(email="taken@demo.cn", org_name="甲公司"))
    fresh = client.application.test_client().post("/register", data=register_form(
        email="new@demo.cn", org_name="乙公司", uscc=USCC_SHANGHAI))
    assert (taken.status_code, taken.headers["Location"]) == (fresh.status_code, fresh.headers["Location"])
    assert counts() == [before[0] + 1, before[1] + 1]  # only the fresh address made an account
    assert db.session.scalar(db.select(sa.func.count(OrganisationIdentity.org_id))) == 1
    assert db.session.get(User, owner.id).name == "老用户"
    to_owner, to_new = outbox
    assert to_owner["to"] == "taken@demo.cn" and "有人尝试用您的邮箱注册" in to_owner["subject"]
    assert "/password/forgot" in to_owner["body"] and "/login" in to_owner["body"]
    assert to_new["to"] == "new@demo.cn" and "/account/verify/" in to_new["body"]


def test_a_taken_address_with_bad_fields_gets_the_same_errors(client, make_user):
    make_user(email="taken@demo.cn")
    bad = register_form(uscc="91320602MA1N2K3P0A")  # wrong check character
    one = client.post("/register", data={**bad, "email": "taken@demo.cn"}).get_data(as_text=True)
    two = client.post("/register", data={**bad, "email": "other@demo.cn"}).get_data(as_text=True)
    # the CSRF token is signed with a timestamp: it differs when the two posts straddle a second
    strip = lambda page: re.sub(r'value="[^"]*@demo.cn"|name="csrf[-_]token"[^>]*', "", page)  # noqa: E731
    diff = [line for line in difflib.unified_diff(strip(one).splitlines(), strip(two).splitlines(), lineterm="")]
    assert not diff and "has-error" in one, "\n".join(diff)


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
    ("/my/resources", "/my/resources"), ("https://evil.example/", "/workbench"), ("//evil.example/x", "/workbench"),
    ("/\\evil.example", None)])
def test_login_returns_only_to_pages_of_this_site(target, expected, client, make_user):
    user = make_user()
    resp = client.post("/login", query_string={"next": target}, data={"email": user.email, "password": "demo12345"})
    location = resp.headers["Location"]
    if expected:
        assert location == expected
    # wherever it goes, a browser stays on this host (WHATWG URL parsing treats "\\" like "/")
    assert urlparse(urljoin("http://localhost/", location.replace("\\", "/"))).netloc == "localhost"


def test_taken_organisation_name_and_uscc_are_explained(client, make_org):
    make_org(name="已注册的大学")
    resp = client.post("/register", data=register_form(org_name="已注册的大学"))
    assert "该单位已注册" in resp.get_data(as_text=True)
    client.post("/register", data=register_form())
    # A USCC typed first by someone does not lock the real unit out (issue 25) ...
    resp = client.post("/register", data=register_form(email="two@demo.cn", org_name="另一家"))
    assert resp.status_code == 302
    # ... but once a unit's licence for it is verified, nobody registers it again.
    from marketplace.verification.demo import grant
    grant(db.session.scalar(db.select(Organisation).where(Organisation.name == "另一家")))
    db.session.commit()
    resp = client.post("/register", data=register_form(email="three@demo.cn", org_name="第三家"))
    assert resp.status_code == 200 and "营业执照核验" in resp.get_data(as_text=True)
    assert db.session.scalar(db.select(sa.func.count(Organisation.id))) == 3
    assert db.session.scalar(db.select(sa.func.count(User.id))) == 2


def test_signing_up_in_english_keeps_english_for_the_mails(client, outbox):
    client.get("/lang/en")
    assert client.post("/register", data=register_form()).status_code == 302
    user = db.session.scalar(db.select(User))
    [mail] = outbox
    assert user.language == "en" and mail["subject"] == "Please verify your e-mail address"
