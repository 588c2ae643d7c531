"""Notifications and their mails are written in the recipient's language, whoever acted and in what
language: the language is the one each person last chose while signed in (or signed up in)."""
import pytest

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.notifications.models import Notification

from .conftest import iso, slot


@pytest.fixture
def outbox(app):
    app.extensions["mail_outbox"] = box = []
    yield box
    app.extensions.pop("mail_outbox", None)


def _mails_to(outbox, user):
    return [m for m in outbox if m["to"] == user.email]


def test_each_side_hears_in_its_own_language(app, client, login, api_token, outbox, instrument, lab_user,
                                             company_user):
    # The lab member switches the interface to English while signed in: that is remembered.
    lab = app.test_client()
    login(lab, lab_user)
    lab.get("/lang/en")
    assert db.session.get(User, lab_user.id).language == "en"
    assert db.session.get(User, company_user.id).language == "zh"

    # A Chinese-speaking company books (its request in Chinese).
    s, e = slot(0, 9, 0, 60)
    resp = client.post("/api/v1/bookings", headers={**api_token(company_user), "Accept-Language": "zh-CN"},
                       json={"instrument_id": instrument.id, "start": iso(s), "end": iso(e), "purpose": "EDS 能谱"})
    assert resp.status_code == 201
    booking_id = resp.get_json()["id"]
    [mail] = _mails_to(outbox, lab_user)
    assert mail["subject"] == "New booking request: 场发射扫描电镜"
    assert mail["body"].startswith("企业用户 requests 场发射扫描电镜 at ") and "Purpose: EDS 能谱" in mail["body"]
    page = lab.get("/notifications/").get_data(as_text=True)
    assert "New booking request: 场发射扫描电镜" in page and "新的预约申请" not in page

    # The English-speaking lab member approves from an English page: the company hears in Chinese.
    resp = lab.post(f"/api/v1/bookings/{booking_id}/approve", headers={**api_token(lab_user), "Accept-Language": "en"})
    assert resp.status_code == 200
    [mail] = _mails_to(outbox, company_user)
    assert mail["subject"] == "预约已批准：场发射扫描电镜"
    assert mail["body"].startswith("您预约的 场发射扫描电镜（") and "已批准" in mail["body"]
    stored = db.session.scalars(db.select(Notification).where(Notification.user_id == company_user.id)).one()
    assert stored.subject == "预约已批准：场发射扫描电镜"

    # Shown in the reader's current language: the company user switching to English reads it in English.
    company = app.test_client()
    login(company, company_user)
    company.get("/lang/en")
    page = company.get("/notifications/").get_data(as_text=True)
    assert "Booking approved: 场发射扫描电镜" in page and "预约已批准" not in page
    assert db.session.get(User, company_user.id).language == "en"


def test_an_unknown_language_code_changes_nothing_and_the_last_choice_is_kept(app, client, login, lab_user):
    login(client, lab_user)
    client.get("/lang/fr")
    assert db.session.get(User, lab_user.id).language == "zh"
    client.get("/lang/en")
    client.get("/lang/zh")
    assert db.session.get(User, lab_user.id).language == "zh"
