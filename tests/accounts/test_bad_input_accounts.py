"""Bad input to the account forms is shown next to the field and changes nothing."""
import re

import pytest
import sqlalchemy as sa

from marketplace.accounts.services import invite
from marketplace.extensions import db
from tests.catalog.test_bad_input_forms import field_error


def _rows():
    return {t: db.session.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar()
            for t in ("users", "organisations", "invitations", "api_tokens", "audit_log")}


GOOD = {"name": "周工", "email": "zhou@wuxi-iot.cn", "password": "password-123", "confirm": "password-123",
        "org_name": "无锡感知科技有限公司", "org_kind": "enterprise", "org_city": "无锡",
        "uscc": "91320200MA1MXY7K5X", "legal_name": "无锡感知科技有限公司", "legal_rep": "周立"}

REGISTER_CASES = {
    "missing name": ({"name": None}, "name"),
    "name 10,000 chars": ({"name": "周" * 10_000}, "name"),
    "missing e-mail": ({"email": None}, "email"),
    "not an e-mail": ({"email": "zhou-at-wuxi"}, "email"),
    "password too short": ({"password": "short", "confirm": "short"}, "password"),
    "password 10,000 chars": ({"password": "p" * 10_000, "confirm": "p" * 10_000}, "password"),
    "confirmation differs": ({"confirm": "password-124"}, "confirm"),
    "missing organisation": ({"org_name": None}, "org_name"),
    "organisation 10,000 chars": ({"org_name": "司" * 10_000}, "org_name"),
    "unknown organisation kind": ({"org_kind": "alien"}, "org_kind"),
    "city outside Jiangsu": ({"org_city": "上海"}, "org_city"),
    "password of 9 characters": ({"password": "Wuxi-2026", "confirm": "Wuxi-2026"}, "password"),
    "a common password": ({"password": "1234567890", "confirm": "1234567890"}, "password"),
    "a common password in capitals": ({"password": "QWERTYUIOP", "confirm": "QWERTYUIOP"}, "password"),
    "missing USCC": ({"uscc": None}, "uscc"),
    "USCC with a wrong check character": ({"uscc": "91320200MA1MXY7K5Y"}, "uscc"),
    "USCC too short": ({"uscc": "91320200MA1"}, "uscc"),
    "USCC 10,000 chars": ({"uscc": "9" * 10_000}, "uscc"),
    "USCC in full-width odd Unicode": ({"uscc": "９１３２０２００ＭＡ１ＭＸＹ７Ｋ５Ｙ"}, "uscc"),
    "USCC with a zero-width space": ({"uscc": "91320200\u200bMA1MXY7K5X"}, "uscc"),
    "missing legal name": ({"legal_name": None}, "legal_name"),
    "legal name 10,000 chars": ({"legal_name": "司" * 10_000}, "legal_name"),
    "missing legal representative": ({"legal_rep": None}, "legal_rep"),
}


@pytest.mark.parametrize("changes, field", REGISTER_CASES.values(), ids=REGISTER_CASES.keys())
def test_register_with_bad_input(changes, field, client):
    data = {k: v for k, v in {**GOOD, **changes}.items() if v is not None}
    before = _rows()
    resp = client.post("/register", data=data)
    assert resp.status_code == 200 and field_error(resp.get_data(as_text=True), field)
    assert _rows() == before


@pytest.mark.parametrize("field", ["name", "email", "password", "legal_name", "uscc"])
def test_register_with_a_nul_character_is_refused(field, client):
    value = GOOD[field] + "\x00"
    data = {**GOOD, field: value, **({"confirm": value} if field == "password" else {})}
    before = _rows()
    resp = client.post("/register", data=data)
    assert 400 <= resp.status_code < 500
    assert _rows() == before


@pytest.mark.parametrize("data", [{}, {"email": "a@b.cn"}, {"password": "x"}, {"email": "x" * 10_000, "password": "y"}])
def test_login_with_missing_or_huge_fields_is_refused(data, client):
    resp = client.post("/login", data=data)
    assert resp.status_code == 200 and "退出" not in resp.get_data(as_text=True)


@pytest.fixture
def invitation_path(make_org, make_user):
    org = make_org(name="泰州医药城")
    admin = make_user(org=org, org_admin=True)
    _inv, secret = invite(org, "new@taizhou.cn", actor=admin)
    db.session.commit()
    return f"/invitations/{secret}"


@pytest.mark.parametrize("changes, field", [
    ({"name": ""}, "name"), ({"password": "short", "confirm": "short"}, "password"), ({"confirm": "other-pass"}, "confirm"),
    ({"password": "password123", "confirm": "password123"}, "password"), ({"name": "名" * 10_000}, "name")])
def test_accepting_an_invitation_with_bad_input(changes, field, client, invitation_path):
    data = {"name": "新人", "password": "password-123", "confirm": "password-123", **changes}
    before = _rows()
    resp = client.post(invitation_path, data=data)
    assert resp.status_code == 200 and field_error(resp.get_data(as_text=True), field)
    assert _rows() == before
    assert client.get(invitation_path).status_code == 200  # the link is still usable


def test_accepting_an_invitation_for_an_address_that_has_an_account(client, invitation_path, make_user):
    make_user(email="new@taizhou.cn")
    before = _rows()
    resp = client.post(invitation_path, data={"name": "新人", "password": "password-123", "confirm": "password-123"})
    assert resp.status_code == 200 and "该邮箱已注册" in resp.get_data(as_text=True)
    assert _rows() == before


@pytest.mark.parametrize("email", ["", "not-an-email", "a" * 10_000 + "@x.cn"])
def test_inviting_a_bad_email(email, client, make_org, make_user, login):
    login(client, make_user(org=make_org(), org_admin=True))
    before = _rows()
    resp = client.post("/organisation", data={"email": email})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and field_error(page, "email") and "/invitations/" not in page
    assert _rows() == before


@pytest.mark.parametrize("name", ["", "令" * 10_000])
def test_token_with_a_bad_name(name, client, make_user, login):
    login(client, make_user())
    before = _rows()
    resp = client.post("/account/tokens", data={"name": name})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and field_error(page, "name") and not re.search(r"jsst_\w", page)
    assert _rows() == before


@pytest.mark.parametrize("tid", ["0", "99999999999"])
def test_revoking_an_absurd_token_id(tid, client, make_user, login):
    login(client, make_user())
    assert client.post(f"/account/tokens/{tid}/revoke").status_code == 404
