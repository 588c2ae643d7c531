"""Event pages: register, the confirmation with its QR code and ICS, staff check-in, attendance export."""
from datetime import timedelta


def test_register_confirmation_ics_and_check_in(client, app, make_event, people, staff, login):
    event = make_event(capacity=1, starts_in=timedelta(hours=1), deadline_before=timedelta(minutes=10))
    a, b = people(2)
    login(client, a)
    assert client.post(f"/events/{event.id}/register").status_code == 302
    html = client.get(f"/events/{event.id}/registration").get_data(as_text=True)
    assert 'data-status="registered"' in html and "<svg" in html
    code = html.split("data-code>")[1].split("<")[0]
    ics = client.get(f"/events/{event.id}/registration.ics")
    assert ics.mimetype == "text/calendar" and code in ics.get_data(as_text=True)
    other = app.test_client()
    login(other, b)
    other.post(f"/events/{event.id}/register")
    assert 'data-status="waitlisted"' in other.get(f"/events/{event.id}/registration").get_data(as_text=True)
    assert other.get(f"/events/{event.id}/check-in").status_code == 403
    desk = app.test_client()
    login(desk, staff)
    assert f'value="{code}"' in desk.get(f"/events/{event.id}/check-in?code={code}").get_data(as_text=True)
    resp = desk.post(f"/events/{event.id}/check-in", data={"code": code}, follow_redirects=True)
    assert a.name in resp.get_data(as_text=True)
    csv = desk.get(f"/events/{event.id}/attendance.csv").get_data(as_text=True)
    assert code in csv and "候补中" in csv
    assert desk.get(f"/events/{event.id}/attendance.xlsx").status_code == 200
    assert client.get(f"/events/{event.id}/attendance.csv").status_code == 403


def test_staff_publish_through_the_form(client, staff, login):
    login(client, staff)
    resp = client.post("/events/new", data={"title": "成果展示洽谈会", "kind": "fair", "city": "无锡", "venue": "太湖饭店",
                                            "starts_at": "2030-05-01T09:00", "ends_at": "2030-05-01T17:00",
                                            "registration_deadline": "2030-04-30T17:00", "capacity": "200"})
    assert resp.status_code == 302
    assert "成果展示洽谈会" in client.get("/events/").get_data(as_text=True)
    resp = client.post("/events/new", data={"title": "x", "kind": "fair", "city": "无锡", "venue": "v",
                                            "starts_at": "2030-05-01T09:00", "ends_at": "2030-05-01T08:00",
                                            "registration_deadline": "2030-04-30T17:00", "capacity": "5"})
    assert resp.status_code == 200 and "结束时间必须晚于开始时间" in resp.get_data(as_text=True)


def test_request_started_at_an_event_remembers_it(client, app, make_event, login, world):
    event = make_event()
    login(client, world.company_user)
    client.get(f"/requests/start?event={event.id}")
    html = client.get(f"/resources/{world.expert.id}").get_data(as_text=True)
    assert f"event={event.id}" in html
    resp = client.post(f"/requests/new?kind=consulting&resource={world.expert.id}",
                       data={"topic": "对接", "question": "合作", "mode": "online", "event_id": str(event.id)})
    assert resp.status_code == 302
    assert event.title in client.get(resp.headers["Location"]).get_data(as_text=True)
    desk = app.test_client()
    login(desk, world.staff)
    assert "本活动发起的服务申请：1 件" in desk.get(f"/events/{event.id}").get_data(as_text=True)


def test_attendance_exports_never_turn_a_name_into_a_formula(client, app, make_event, people, staff, login):
    import csv
    import io

    from openpyxl import load_workbook

    from marketplace.extensions import db
    event = make_event(capacity=5, starts_in=timedelta(hours=1), deadline_before=timedelta(minutes=10))
    (guest,) = people(1)
    guest.name = '=HYPERLINK("http://evil.example","点我")'
    db.session.commit()
    login(client, guest)
    assert client.post(f"/events/{event.id}/register").status_code == 302
    desk = app.test_client()
    login(desk, staff)
    rows = list(csv.reader(io.StringIO(desk.get(f"/events/{event.id}/attendance.csv").data.decode("utf-8-sig"))))
    assert rows[1][1] == "'" + guest.name            # CSV: a leading apostrophe, so no program runs it
    ws = load_workbook(io.BytesIO(desk.get(f"/events/{event.id}/attendance.xlsx").data)).active
    assert ws["B2"].value == guest.name and ws["B2"].data_type == "s"   # XLSX: the name as text
