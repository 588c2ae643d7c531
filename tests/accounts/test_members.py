"""Joining an organisation by invitation; org admins manage members, others cannot."""
import re
from datetime import timedelta

import pytest

from marketplace.accounts.models import Invitation, User
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db


def _invite(client, email="newcomer@njtech.edu.cn") -> str:
    resp = client.post("/organisation", data={"email": email})
    assert resp.status_code == 200
    match = re.search(r"<code>(http://[^<]+/invitations/[^<]+)</code>", resp.get_data(as_text=True))
    assert match, "the invitation link is shown to the admin"
    return match.group(1).replace("http://localhost", "")


def _accept(client, path, **kw):
    data = {"name": "新同事", "email": "newcomer@njtech.edu.cn", "password": "welcome-2026",
            "confirm": "welcome-2026"}
    data.update(kw)
    return client.post(path, data=data)


@pytest.fixture
def org_admin(make_org, make_user):
    org = make_org(name="南京工业大学")
    return make_user(org=org, org_admin=True, name="单位管理员")


def test_invited_person_accepts_and_becomes_a_member(client, org_admin, login):
    login(client, org_admin)
    path = _invite(client)
    client.post("/logout")

    newcomer = client.application.test_client()
    page = newcomer.get(path).get_data(as_text=True)
    assert "南京工业大学" in page and "<strong>newcomer@njtech.edu.cn</strong>" in page and 'name="email"' not in page
    resp = _accept(newcomer, path)
    assert resp.status_code == 302
    user = db.session.scalar(db.select(User).where(User.email == "newcomer@njtech.edu.cn"))
    assert user.organisation_id == org_admin.organisation_id and not user.org_admin
    assert "南京工业大学" in newcomer.get("/organisation").get_data(as_text=True)  # logged in as the member

    # the link works once
    assert client.application.test_client().get(path).status_code == 404
    assert _accept(client.application.test_client(), path, email="second@x.cn").status_code == 404


def test_expired_invitation_link_is_not_found(client, org_admin, login):
    login(client, org_admin)
    path = _invite(client)
    inv = db.session.scalar(db.select(Invitation))
    inv.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    client.post("/logout")
    assert client.get(path).status_code == 404
    assert _accept(client, path).status_code == 404
    assert db.session.scalar(db.select(User).where(User.email == "newcomer@njtech.edu.cn")) is None


def test_made_up_invitation_link_is_not_found(client):
    assert client.get("/invitations/not-a-real-secret").status_code == 404


def test_invitation_secret_is_not_stored(client, org_admin, login):
    login(client, org_admin)
    path = _invite(client)
    secret = path.rsplit("/", 1)[1]
    inv = db.session.scalar(db.select(Invitation))
    assert secret not in inv.token_hash and len(inv.token_hash) == 64


def test_non_admin_member_cannot_invite(client, org_admin, make_user, login):
    member = make_user(org=org_admin.organisation)
    login(client, member)
    page = client.get("/organisation").get_data(as_text=True)
    assert "邀请成员" not in page
    assert client.post("/organisation", data={"email": "x@y.cn"}).status_code == 403
    assert db.session.scalar(db.select(db.func.count(Invitation.id))) == 0


def _members(org_id):
    db.session.expire_all()
    return {u.email: u.org_admin for u in db.session.scalars(db.select(User).where(User.organisation_id == org_id))}


def test_admin_makes_and_drops_admins_and_removes_members(client, org_admin, make_user, login):
    org_id = org_admin.organisation_id
    colleague = make_user(org=org_admin.organisation, email="colleague@njtech.edu.cn")
    login(client, org_admin)
    page = client.get("/organisation").get_data(as_text=True)
    assert f"/organisation/members/{colleague.id}/make-admin" in page

    assert client.post(f"/organisation/members/{colleague.id}/make-admin").status_code == 302
    assert _members(org_id)["colleague@njtech.edu.cn"] is True
    assert client.post(f"/organisation/members/{colleague.id}/drop-admin").status_code == 302
    assert _members(org_id)["colleague@njtech.edu.cn"] is False
    assert client.post(f"/organisation/members/{colleague.id}/remove").status_code == 302
    assert "colleague@njtech.edu.cn" not in _members(org_id)
    db.session.expire_all()
    assert db.session.get(User, colleague.id).organisation_id is None


def test_the_last_admin_cannot_be_dropped(client, org_admin, login):
    login(client, org_admin)
    resp = client.post(f"/organisation/members/{org_admin.id}/drop-admin", follow_redirects=True)
    assert "单位至少需要一名管理员" in resp.get_data(as_text=True)
    assert _members(org_admin.organisation_id)[org_admin.email] is True


def test_an_admin_may_step_down_when_another_admin_remains(client, org_admin, make_user, login):
    other_admin = make_user(org=org_admin.organisation, org_admin=True)
    login(client, org_admin)
    assert client.post(f"/organisation/members/{org_admin.id}/drop-admin").status_code == 302
    assert _members(org_admin.organisation_id) == {org_admin.email: False, other_admin.email: True}


def test_admin_cannot_remove_themself(client, org_admin, login):
    login(client, org_admin)
    resp = client.post(f"/organisation/members/{org_admin.id}/remove", follow_redirects=True)
    assert "不能移除自己" in resp.get_data(as_text=True)
    assert org_admin.email in _members(org_admin.organisation_id)


@pytest.mark.parametrize("action", ["make-admin", "drop-admin", "remove"])
def test_non_admin_member_cannot_manage_members(action, client, org_admin, make_user, login):
    member = make_user(org=org_admin.organisation)
    target = make_user(org=org_admin.organisation, org_admin=(action == "drop-admin"))
    before = _members(org_admin.organisation_id)
    login(client, member)
    assert f"/organisation/members/{target.id}/" not in client.get("/organisation").get_data(as_text=True)
    assert client.post(f"/organisation/members/{target.id}/{action}").status_code == 403
    assert _members(org_admin.organisation_id) == before


@pytest.mark.parametrize("action", ["make-admin", "drop-admin", "remove"])
def test_admin_of_another_organisation_cannot_touch_our_members(action, client, org_admin, make_org, make_user,
                                                                login):
    outsider = make_user(org=make_org(name="别家公司", kind="enterprise"), org_admin=True)
    before = _members(org_admin.organisation_id)
    login(client, outsider)
    assert client.post(f"/organisation/members/{org_admin.id}/{action}").status_code == 404
    assert _members(org_admin.organisation_id) == before


def test_unknown_member_action_and_unknown_member(client, org_admin, login):
    login(client, org_admin)
    assert client.post(f"/organisation/members/{org_admin.id}/promote-to-god").status_code == 404
    assert client.post("/organisation/members/999999/make-admin").status_code == 404
    assert client.post("/organisation/members/99999999999/make-admin").status_code == 404
