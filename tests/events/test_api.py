"""/api/v1/events as promised in CONTRACT.md."""
from datetime import timedelta

from marketplace.core.timeutil import isoformat, utcnow


def test_publish_register_waitlist_and_check_in(client, app, staff, people, api_token):
    start = utcnow() + timedelta(days=5)
    payload = {"title": "科技金融对接会", "kind": "matchmaking", "starts_at": isoformat(start),
               "ends_at": isoformat(start + timedelta(hours=3)), "city": "苏州", "venue": "苏州国际博览中心",
               "capacity": 1, "registration_deadline": isoformat(start - timedelta(hours=12))}
    a, b = people(2)
    assert client.post("/api/v1/events", json=payload, headers=api_token(a)).status_code == 403
    resp = client.post("/api/v1/events", json=payload, headers=api_token(staff))
    assert resp.status_code == 201, resp.get_json()
    eid = resp.get_json()["id"]
    first = client.post(f"/api/v1/events/{eid}/register", headers=api_token(a)).get_json()
    assert first["status"] == "registered" and len(first["code"]) == 8
    assert client.post(f"/api/v1/events/{eid}/register", headers=api_token(b)).get_json()["status"] == "waitlisted"
    event = client.get(f"/api/v1/events/{eid}").get_json()
    assert (event["capacity"], event["registered"], event["waitlisted"]) == (1, 1, 1)
    assert client.post(f"/api/v1/events/{eid}/unregister", headers=api_token(a)).get_json()["status"] == "cancelled"
    mine = client.get(f"/api/v1/events/{eid}/registration", headers=api_token(b)).get_json()
    assert mine["status"] == "registered"
    assert any(e["id"] == eid for e in client.get("/api/v1/events").get_json()["items"])
    resp = client.post(f"/api/v1/events/{eid}/check-in", json={"code": mine["code"]}, headers=api_token(staff))
    assert resp.status_code == 422 and "code" in resp.get_json()["errors"]  # not on the day yet


def test_bad_event_payloads(client, staff, api_token):
    h = api_token(staff)
    start = utcnow() + timedelta(days=5)
    good = {"title": "培训", "kind": "training", "starts_at": isoformat(start),
            "ends_at": isoformat(start + timedelta(hours=3)), "city": "南京", "venue": "v", "capacity": 10,
            "registration_deadline": isoformat(start - timedelta(hours=1))}
    for change, field in [({"kind": "party"}, "kind"), ({"capacity": 0}, "capacity"), ({"capacity": "10"}, "capacity"),
                          ({"city": "上海"}, "city"), ({"starts_at": "2026-12-01T10:00"}, "starts_at"),
                          ({"registration_deadline": isoformat(utcnow() - timedelta(days=1))}, "registration_deadline")]:
        resp = client.post("/api/v1/events", json=dict(good, **change), headers=h)
        assert resp.status_code == 422 and field in resp.get_json()["errors"], (change, resp.get_json())
    assert client.get("/api/v1/events/424242").status_code == 404
    assert client.post("/api/v1/events/424242/register", headers=h).status_code == 404
    assert client.get("/api/v1/events").get_json()["items"] == []
