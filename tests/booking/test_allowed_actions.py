"""The buttons a page shows are the actions the services allow (allowed_actions), for each viewer."""
import pytest

from marketplace.booking import services
from marketplace.core.errors import Conflict
from marketplace.extensions import db
from tests.booking.conftest import now_slot, slot

APPROVE, REJECT, CHECK_IN, CANCEL = "/approve", "/reject", "/check-in", "/cancel"


def buttons(client, b) -> set[str]:
    html = client.get(f"/booking/{b.id}").get_data(as_text=True)
    return {a for a in (APPROVE, REJECT, CHECK_IN, CANCEL, "/complete", "/rate") if f"/booking/{b.id}{a}\"" in html}


def test_requested_booking_buttons_per_viewer(client, login, instrument, company_user, lab_user):
    b = services.request_booking(instrument, *slot(0, 9), "x", actor=company_user)
    db.session.commit()
    assert services.allowed_actions(b, actor=company_user) == ["cancel"]
    assert set(services.allowed_actions(b, actor=lab_user)) == {"approve", "reject", "cancel"}
    assert services.allowed_actions(b, actor=None) == []
    login(client, company_user)
    assert buttons(client, b) == {CANCEL}
    client.post("/logout")
    login(client, lab_user)
    assert buttons(client, b) == {APPROVE, REJECT, CANCEL}


def test_check_in_button_only_in_the_window(client, login, instrument, company_user, lab_user, make_booking):
    later = make_booking(instrument, company_user, *now_slot(180))
    soon = make_booking(instrument, company_user, *now_slot(5))
    login(client, company_user)
    assert buttons(client, later) == {CANCEL}            # too early to check in
    assert buttons(client, soon) == {CHECK_IN, CANCEL}
    # what the page offers, the service accepts; what it hides, the service refuses
    with pytest.raises(Conflict):
        services.check_in(later, actor=company_user)
    db.session.rollback()
    services.check_in(soon, actor=company_user)
    db.session.commit()
    assert "complete" in services.allowed_actions(soon, actor=lab_user)
    assert services.allowed_actions(soon, actor=company_user) == []


def test_overdue_booking_offers_nothing_and_a_get_changes_nothing(client, login, instrument, company_user,
                                                                 make_booking):
    b = make_booking(instrument, company_user, *now_slot(-45))
    login(client, company_user)
    assert buttons(client, b) == set()
    assert services.effective_status(b) == "no_show"
    db.session.expire_all()
    assert db.session.get(type(b), b.id).status == "approved"


def test_unknown_and_huge_ids_are_not_found(client, login, company_user):
    login(client, company_user)
    for url in ("/booking/2147483648", "/booking/99999999999999999999", "/payments/bookings/99999999999/checkout"):
        assert client.get(url).status_code == 404, url
    assert client.post("/booking/99999999999/approve").status_code == 404


def test_queue_counts_overdue_requests_as_lapsed(client, login, instrument, company_user, lab_user, make_booking):
    make_booking(instrument, company_user, *now_slot(-120, 30), status="requested")
    make_booking(instrument, company_user, *now_slot(24 * 60), status="requested")
    assert services.provider_counts(lab_user.organisation_id) == {"rejected": 1, "requested": 1}
    login(client, lab_user)
    html = client.get("/booking/queue").get_data(as_text=True)
    assert html.count('data-booking="') == 1  # only the request that can still be decided


def test_api_shows_the_effective_status_without_writing(client, api_token, instrument, company_user, make_booking):
    overdue = make_booking(instrument, company_user, *now_slot(-45))
    later = make_booking(instrument, company_user, *now_slot(24 * 60))
    body = client.get(f"/api/v1/bookings/{overdue.id}", headers=api_token(company_user)).get_json()
    assert body["status"] == "approved" and body["effective_status"] == "no_show"
    body = client.get(f"/api/v1/bookings/{later.id}", headers=api_token(company_user)).get_json()
    assert body["status"] == body["effective_status"] == "approved"
    db.session.expire_all()
    assert db.session.get(type(overdue), overdue.id).status == "approved"
