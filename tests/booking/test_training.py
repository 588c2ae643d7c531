"""Qualification on self-operated instruments: training requests through to a qualification with an
expiry, the renewal reminder, assisted sessions instead, pages and API, races (both databases)."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.accounts.models import User
from marketplace.booking import services
from marketplace.booking.models import Booking, Qualification, TrainingRequest
from marketplace.catalog.models import Instrument
from marketplace.core.audit import history
from marketplace.core.db import writing
from marketplace.core.errors import Conflict, DomainError, Forbidden, Invalid
from marketplace.core.timeutil import to_local, utcnow
from marketplace.extensions import db
from marketplace.notifications.models import Notification
from tests.booking.conftest import iso, slot
from tests.races import race


@pytest.fixture
def sem(make_resource, lab):
    return make_resource("instrument", lab, title="自主扫描电镜", service_mode="self_operated",
                         price_unit="hour", internal_price=20_000, external_price=40_000)


def today():
    return to_local(utcnow()).date()


def subjects(user):
    return [n.subject for n in db.session.scalars(sa.select(Notification).where(Notification.user_id == user.id))]


def test_training_through_to_qualification_then_booking(app, sem, lab_user, company_user):
    s, e = slot(0, 9, 0, 60)
    with pytest.raises(Forbidden):
        services.request_booking(sem, s, e, "自主上机", actor=company_user)
    tr = services.request_training(sem, "做过 SEM", actor=company_user)
    assert tr.status == "requested"
    with pytest.raises(Conflict):  # one open request per user and instrument
        services.request_training(sem, "again", actor=company_user)
    when = utcnow() + timedelta(days=3)
    services.schedule_training(tr, when, note="A201 室", actor=lab_user)
    assert tr.status == "scheduled" and tr.scheduled_at == when
    with pytest.raises(Forbidden):  # the trainee cannot qualify themselves
        services.complete_training(tr, actor=company_user)
    services.complete_training(tr, actor=lab_user)
    db.session.commit()
    q = db.session.get(Qualification, (sem.id, company_user.id))
    expected = today().replace(year=today().year + 2)
    assert tr.status == "qualified" and q.valid_until == expected == tr.valid_until
    assert [h.action for h in history("training_request", tr.id)] == ["requested", "schedule", "train", "qualify"]
    assert any("已取得上机资格" in s for s in subjects(company_user))
    b = services.request_booking(sem, s, e, "自主上机", actor=company_user)
    assert b.service_mode == "self_operated" and b.fee == 40_000


def test_expired_qualification_no_longer_admits(app, sem, lab_user, company_user):
    services.qualify_user(sem, company_user.email, valid_until=today() + timedelta(days=1), actor=lab_user)
    db.session.commit()
    assert services.is_qualified(sem, company_user)
    q = db.session.get(Qualification, (sem.id, company_user.id))
    q.valid_until = today() - timedelta(days=1)
    db.session.commit()
    assert not services.is_qualified(sem, company_user)
    s, e = slot(0, 9, 0, 60)
    with pytest.raises(Forbidden):
        services.request_booking(sem, s, e, "x", actor=company_user)
    # renewal: a new request is allowed and a grant moves the one row's date
    tr = services.request_training(sem, "复训", actor=company_user)
    services.complete_training(tr, valid_until=today() + timedelta(days=400), actor=lab_user)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Qualification)) == 1
    assert services.is_qualified(sem, company_user)


def test_renewal_reminder_goes_once_before_expiry(app, sem, lab_user, company_user, make_user, company):
    other = make_user(org=company)
    services.qualify_user(sem, company_user.email, valid_until=today() + timedelta(days=20), actor=lab_user)
    services.qualify_user(sem, other.email, valid_until=today() + timedelta(days=200), actor=lab_user)
    db.session.commit()
    assert services.remind_expiring() == 1
    assert services.remind_expiring() == 0  # idempotent
    db.session.commit()
    assert any("即将到期" in s for s in subjects(company_user)) and not subjects(other)


def test_assisted_session_at_the_assisted_rate_billed_on_use(app, sem, lab_user, company_user):
    s, e = slot(1, 9, 0, 120)
    assert services.quote_booking(sem, s, e, assisted=True, actor=company_user) == 120_000  # 2 h × ¥400 × 150 %
    b = services.request_booking(sem, s, e, "请老师代为操作", assisted=True, actor=company_user)
    assert (b.service_mode, b.unit_price, b.fee) == ("staff_operated", 60_000, 120_000)
    services.approve_booking(b, actor=lab_user)
    services.check_in(b, now=s, actor=lab_user)
    services.complete_booking(b, actual_start=s, actual_end=s + timedelta(hours=1), now=s + timedelta(hours=1),
                              actor=lab_user)
    assert b.fee == 60_000  # staff-operated: the hour used, not the two booked


def test_lab_sets_its_assisted_rate(app, sem, lab_user, company_user):
    services.update_settings(sem, assisted_percent=200, actor=lab_user)
    db.session.commit()
    s, e = slot(1, 9, 0, 60)
    assert services.quote_booking(sem, s, e, assisted=True, actor=company_user) == 80_000
    with pytest.raises(Invalid):
        services.update_settings(sem, assisted_percent=50, actor=lab_user)


def test_decline_needs_a_reason_and_tells_the_user(app, sem, lab_user, company_user):
    tr = services.request_training(sem, "", actor=company_user)
    with pytest.raises(Invalid):
        services.decline_training(tr, "  ", actor=lab_user)
    services.decline_training(tr, "名额已满，下月再报", actor=lab_user)
    db.session.commit()
    assert tr.status == "declined" and any("未通过" in s for s in subjects(company_user))
    assert services.request_training(sem, "下月", actor=company_user).status == "requested"


def test_staff_operated_instrument_needs_no_training(app, instrument, company_user):
    with pytest.raises(Invalid):
        services.request_training(instrument, "", actor=company_user)


# -- pages -----------------------------------------------------------------------------------------

def test_page_says_training_required_before_any_form(client, login, sem, company_user):
    login(client, company_user)
    html = client.get(f"/resources/{sem.id}").get_data(as_text=True)
    assert "自主操作：需培训" in html and 'id="apply-training"' in html and 'id="book-assisted"' in html
    assert 'id="book-button"' not in html
    page = client.get(f"/booking/instruments/{sem.id}/book").get_data(as_text=True)
    assert "自主操作：需培训" in page and 'name="purpose"' not in page  # no form to fill in for nothing
    assisted = client.get(f"/booking/instruments/{sem.id}/book?assisted=1").get_data(as_text=True)
    assert 'name="purpose"' in assisted and 'id="assisted-note"' in assisted


def test_request_schedule_qualify_through_the_pages(client, login, sem, lab_user, company_user):
    login(client, company_user)
    resp = client.post(f"/booking/instruments/{sem.id}/training", data={"note": "希望周三培训"})
    assert resp.status_code == 302
    tr = db.session.scalar(sa.select(TrainingRequest))
    assert "待安排" in client.get("/booking/training").get_data(as_text=True)
    client.get("/logout")
    login(client, lab_user)
    listing = client.get("/booking/training").get_data(as_text=True)
    assert "希望周三培训" in listing and company_user.name in listing
    at = to_local(utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    assert client.post(f"/booking/training/{tr.id}/schedule", data={"scheduled_at": at}).status_code == 302
    client.post(f"/booking/training/{tr.id}/qualify", data={"valid_until": ""})
    db.session.expire_all()
    assert db.session.get(TrainingRequest, tr.id).status == "qualified"
    settings = client.get(f"/booking/instruments/{sem.id}/settings").get_data(as_text=True)
    assert company_user.email in settings and str(today().replace(year=today().year + 2)) in settings


def test_lab_picks_a_user_from_the_list(client, login, sem, lab_user, company_user):
    services.request_training(sem, "", actor=company_user)
    db.session.commit()
    login(client, lab_user)
    page = client.get(f"/booking/instruments/{sem.id}/settings").get_data(as_text=True)
    assert f'value="{company_user.id}"' in page
    client.post(f"/booking/instruments/{sem.id}/settings/qualify",
                data={"q-user_id": str(company_user.id), "q-valid_until": str(today() + timedelta(days=90))})
    assert db.session.get(Qualification, (sem.id, company_user.id)).valid_until == today() + timedelta(days=90)
    resp = client.post(f"/booking/instruments/{sem.id}/settings/qualify", data={"q-user_id": "abc"},
                       follow_redirects=True)
    assert resp.status_code == 200


# -- API -------------------------------------------------------------------------------------------

def test_api_training_flow_and_errors(client, api_token, sem, lab_user, company_user, make_user):
    user, lab = api_token(company_user), api_token(lab_user)
    r = client.post(f"/api/v1/instruments/{sem.id}/training-requests", headers=user, json={"note": "SEM"})
    assert r.status_code == 201 and r.get_json()["status"] == "requested"
    tid = r.get_json()["id"]
    assert client.post(f"/api/v1/instruments/{sem.id}/training-requests", headers=user, json={}).status_code == 409
    assert client.post(f"/api/v1/training-requests/{tid}/schedule", headers=user,
                       json={"scheduled_at": iso(utcnow() + timedelta(days=1))}).status_code == 403
    bad = client.post(f"/api/v1/training-requests/{tid}/schedule", headers=lab, json={"scheduled_at": "tomorrow"})
    assert bad.status_code == 422 and "scheduled_at" in bad.get_json()["errors"]
    far = client.post(f"/api/v1/training-requests/{tid}/schedule", headers=lab,
                      json={"scheduled_at": iso(utcnow() + timedelta(days=900))})
    assert far.status_code == 422
    ok = client.post(f"/api/v1/training-requests/{tid}/schedule", headers=lab,
                     json={"scheduled_at": iso(utcnow() + timedelta(days=1)), "event_id": 999999})
    assert ok.status_code == 422 and "event_id" in ok.get_json()["errors"]
    client.post(f"/api/v1/training-requests/{tid}/schedule", headers=lab,
                json={"scheduled_at": iso(utcnow() + timedelta(days=1))})
    until = (today() + timedelta(days=365)).isoformat()
    done = client.post(f"/api/v1/training-requests/{tid}/complete", headers=lab, json={"valid_until": until})
    assert done.status_code == 200 and done.get_json()["status"] == "qualified"
    assert done.get_json()["valid_until"] == until
    assert client.post(f"/api/v1/training-requests/{tid}/decline", headers=lab,
                       json={"reason": "x"}).status_code == 409
    stranger = api_token(make_user())
    assert client.get(f"/api/v1/training-requests/{tid}", headers=stranger).status_code == 404
    assert client.post("/api/v1/training-requests/99999999999/complete", headers=lab, json={}).status_code == 404
    s, e = slot(0, 9, 0, 60)
    booked = client.post("/api/v1/bookings", headers=user, json={
        "instrument_id": sem.id, "start": iso(s), "end": iso(e), "purpose": "自主上机"})
    assert booked.status_code == 201


def test_api_assisted_booking(client, api_token, sem, company_user):
    s, e = slot(0, 9, 0, 60)
    body = {"instrument_id": sem.id, "start": iso(s), "end": iso(e), "purpose": "代操作"}
    assert client.post("/api/v1/bookings", headers=api_token(company_user), json=body).status_code == 403
    r = client.post("/api/v1/bookings", headers=api_token(company_user), json={**body, "assisted": True})
    assert r.status_code == 201 and r.get_json()["fee"] == 60_000


# -- races -----------------------------------------------------------------------------------------

def test_two_training_requests_at_once_make_one(app, sem, company_user):
    inst_id, user_id = sem.id, company_user.id

    def ask(i):
        with writing():
            tr = services.request_training(db.session.get(Instrument, inst_id), f"tab {i}",
                                           actor=db.session.get(User, user_id))
            db.session.commit()
            return tr.id

    results = race(app, 4, ask)
    assert len([r for r in results if isinstance(r, int)]) == 1
    assert all(isinstance(r, Conflict) for r in results if not isinstance(r, int))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TrainingRequest)) == 1


def test_two_lab_members_qualifying_at_once_qualify_once(app, sem, lab_user, company_user, make_user, lab):
    tr = services.request_training(sem, "", actor=company_user)
    db.session.commit()
    staff = [lab_user.id, make_user(org=lab).id]
    tid = tr.id

    def qualify(i):
        with writing():
            services.complete_training(db.session.get(TrainingRequest, tid),
                                       valid_until=today() + timedelta(days=100 + i),
                                       actor=db.session.get(User, staff[i]))
            db.session.commit()
            return i

    results = race(app, 2, qualify)
    wins = [r for r in results if isinstance(r, int)]
    assert len(wins) == 1 and all(isinstance(r, DomainError) for r in results if not isinstance(r, int))
    q = db.session.scalars(sa.select(Qualification)).all()
    assert len(q) == 1 and q[0].valid_until == today() + timedelta(days=100 + wins[0])
    assert [h.action for h in history("training_request", tid)].count("qualify") == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)) == 0
