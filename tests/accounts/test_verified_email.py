"""An unverified address cannot book or publish (form and API); verified accounts, operator-made
accounts and the demo accounts can; resending the mail; invitations bound to the invited address."""
import re

import pytest
import sqlalchemy as sa
from click.testing import Result

from marketplace.accounts import services
from marketplace.accounts.models import Invitation, User
from marketplace.booking.models import Booking
from marketplace.core.timeutil import to_local
from marketplace.extensions import db
from tests.booking.conftest import iso, slot

MESSAGE = "请先验证您的电子邮箱"


@pytest.fixture
def outbox(app):
    app.extensions["mail_outbox"] = []
    return app.extensions["mail_outbox"]


@pytest.fixture
def lab(make_org):
    return make_org(name="南京大学测试中心")


@pytest.fixture
def instrument(make_resource, lab):
    return make_resource("instrument", lab, title="场发射扫描电镜")


@pytest.fixture
def newcomer(make_org, make_user):
    return make_user(org=make_org(name="苏州新注册公司", kind="enterprise", city="苏州"), email_verified_at=None)


def _book_form(client, instrument):
    s, e = slot(0, 9)
    fmt = "%Y-%m-%dT%H:%M"
    return client.post(f"/booking/instruments/{instrument.id}/book", data={
        "start": to_local(s).strftime(fmt), "end": to_local(e).strftime(fmt), "purpose": "SEM 形貌", "confirm": "1"})


def _book_api(client, headers, instrument):
    s, e = slot(1, 10)
    return client.post("/api/v1/bookings", headers=headers, json={
        "instrument_id": instrument.id, "start": iso(s), "end": iso(e), "purpose": "SEM 形貌"})


def _bookings():
    return db.session.scalar(sa.select(sa.func.count(Booking.id)))


def test_an_unverified_user_cannot_book_by_form_or_api(client, login, api_token, instrument, newcomer):
    login(client, newcomer)
    resp = _book_form(client, instrument)
    assert resp.status_code == 403 and MESSAGE in resp.get_data(as_text=True)
    resp = _book_api(client.application.test_client(), api_token(newcomer), instrument)
    assert resp.status_code == 403 and MESSAGE in resp.get_json()["detail"]
    assert _bookings() == 0

    newcomer.email_verified_at = db.func.now()
    db.session.commit()
    assert _book_form(client, instrument).status_code == 302
    assert _book_api(client.application.test_client(), api_token(newcomer), instrument).status_code == 201
    assert _bookings() == 2


def test_an_unverified_user_cannot_submit_a_listing_by_form_or_api(client, login, api_token, make_resource,
                                                                  newcomer):
    draft = make_resource("service", newcomer.organisation, status="draft")
    login(client, newcomer)
    resp = client.post(f"/resources/{draft.id}/submit")
    assert resp.status_code == 403 and MESSAGE in resp.get_data(as_text=True)
    resp = client.application.test_client().post(f"/api/v1/resources/{draft.id}/submit",
                                                 headers=api_token(newcomer))
    assert resp.status_code == 403 and MESSAGE in resp.get_json()["detail"]
    db.session.expire_all()
    assert db.session.get(type(draft), draft.id).status == "draft"

    newcomer.email_verified_at = db.func.now()
    db.session.commit()
    assert client.post(f"/resources/{draft.id}/submit").status_code == 302
    db.session.expire_all()
    assert db.session.get(type(draft), draft.id).status == "pending_review"


def test_the_banner_resends_the_verification_mail(client, login, newcomer, outbox):
    login(client, newcomer)
    page = client.get("/").get_data(as_text=True)
    assert "请验证您的邮箱" in page and 'action="/account/verify/resend"' in page
    resp = client.post("/account/verify/resend", headers={"Referer": "http://localhost/resources"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/resources")
    [mail] = outbox
    path = re.search(r"http://localhost(/account/verify/\S+)", mail["body"]).group(1)
    assert client.post(path).status_code == 302
    assert "请验证您的邮箱" not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("token", ["x", "x" * 5000, "eyJ1IjoxfQ.abc.def", "...."])
def test_forged_verification_links_change_nothing(token, client, newcomer):
    assert 400 <= client.get(f"/account/verify/{token}").status_code < 500
    assert 400 <= client.post(f"/account/verify/{token}").status_code < 500
    db.session.expire_all()
    assert db.session.get(User, newcomer.id).email_verified_at is None


def test_an_expired_verification_link_changes_nothing(app, client, newcomer):
    token = services.verification_token(newcomer)
    app.config["EMAIL_VERIFY_MAX_AGE"] = -1
    resp = client.post(f"/account/verify/{token}")
    assert resp.status_code == 422 and "链接已过期" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, newcomer.id).email_verified_at is None


def test_operator_made_and_factory_accounts_count_as_verified(runner, make_user):
    assert make_user().email_verified_at is not None  # the suite's factory (and the demo/seed) as well
    result: Result = runner.invoke(args=["users", "create", "--email", "ops@demo.cn", "--name", "运维",
                                         "--password", "Operator-2026!"])
    assert result.exit_code == 0, result.output
    assert services.get_user_by_email("ops@demo.cn").email_verified_at is not None


@pytest.mark.parametrize("password", ["demo12345", "1234567890", "password123"])
def test_users_create_refuses_weak_passwords(password, runner):
    result = runner.invoke(args=["users", "create", "--email", "ops@demo.cn", "--name", "运维", "--password", password])
    assert result.exit_code != 0 and services.get_user_by_email("ops@demo.cn") is None


# -- invitations bound to the invited address --------------------------------------------------------

@pytest.fixture
def invitation(make_org, make_user):
    org = make_org(name="泰州医药城")
    admin = make_user(org=org, org_admin=True)
    _inv, secret = services.invite(org, "new@taizhou.cn", actor=admin)
    db.session.commit()
    return f"/invitations/{secret}"


def test_accepting_registers_exactly_the_invited_address(client, invitation, outbox):
    resp = client.post(invitation, data={"name": "新人", "email": "attacker@evil.cn", "password": "password-123",
                                         "confirm": "password-123"})
    assert resp.status_code == 302
    assert services.get_user_by_email("attacker@evil.cn") is None
    user = services.get_user_by_email("new@taizhou.cn")
    assert user.organisation.name == "泰州医药城" and user.email_verified_at is None
    assert [m["to"] for m in outbox] == ["new@taizhou.cn"]


def test_someone_logged_in_with_another_address_cannot_accept(client, invitation, make_user, login):
    login(client, make_user(email="other@taizhou.cn"))
    assert client.get(invitation).status_code == 403
    resp = client.post(invitation, data={"name": "新人", "password": "password-123", "confirm": "password-123"})
    assert resp.status_code == 403 and "new@taizhou.cn" in resp.get_data(as_text=True)
    assert services.get_user_by_email("new@taizhou.cn") is None
    assert db.session.scalar(sa.select(Invitation.accepted_at)) is None
