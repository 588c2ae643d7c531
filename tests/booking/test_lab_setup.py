"""Lab setup that is not developer-grade: the weekly opening-hours editor, one 'bookable online' answer."""
from datetime import time

from marketplace.booking import services
from marketplace.booking.models import BookingSettings
from marketplace.extensions import db


def test_weekly_editor_saves_days_and_ranges(client, login, instrument, lab_user):
    login(client, lab_user)
    page = client.get(f"/booking/instruments/{instrument.id}/settings").get_data(as_text=True)
    assert 'id="opening-hours"' in page and 'name="d0_0_opens"' in page and 'value="08:30"' in page
    data = {"d0_0_opens": "08:00", "d0_0_closes": "12:00", "d0_1_opens": "13:30", "d0_1_closes": "17:00",
            "d5_0_opens": "09:00", "d5_0_closes": "11:30", "requires_approval": "y"}
    assert client.post(f"/booking/instruments/{instrument.id}/settings", data=data).status_code == 302
    db.session.expire_all()
    rows = [(h.weekday, h.opens, h.closes) for h in db.session.get(BookingSettings, instrument.id).opening_hours]
    assert rows == [(0, time(8), time(12)), (0, time(13, 30), time(17)), (5, time(9), time(11, 30))]


def test_weekly_editor_errors_sit_beside_the_range_and_change_nothing(client, login, instrument, lab_user):
    login(client, lab_user)
    before = services.effective_rules(instrument).weekly
    bad = {"d1_0_opens": "12:00", "d1_0_closes": "09:00"}
    resp = client.post(f"/booking/instruments/{instrument.id}/settings", data=bad)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and 'id="d1_0_closes-err"' in html and "结束时间必须晚于开始时间" in html
    overlap = {"d2_0_opens": "08:00", "d2_0_closes": "12:00", "d2_1_opens": "11:00", "d2_1_closes": "15:00"}
    html = client.post(f"/booking/instruments/{instrument.id}/settings", data=overlap).get_data(as_text=True)
    assert "同一天的时段不能重叠" in html
    assert "每周至少开放一个时段" in client.post(f"/booking/instruments/{instrument.id}/settings",
                                                  data={}).get_data(as_text=True)
    assert client.post(f"/booking/instruments/{instrument.id}/settings",
                       data={"d3_0_opens": "25:99", "d3_0_closes": "x"}).status_code == 422
    db.session.expire_all()
    assert services.effective_rules(instrument).weekly == before


def test_one_answer_to_bookable_online(client, make_resource, lab):
    no_rate = make_resource("facility", lab, title="未定价开放实验室", bookable=True)
    html = client.get(f"/resources/{no_rate.id}").get_data(as_text=True)
    assert '<dd id="bookable-online">否</dd>' in html and "收费标准尚未填写完整" in html
    assert 'id="book-button"' not in html
    off = make_resource("instrument", lab, title="不开放仪器", bookable=False)
    html = client.get(f"/resources/{off.id}").get_data(as_text=True)
    assert '<dd id="bookable-online">否</dd>' in html and "暂未开放在线预约" in html
    on = make_resource("instrument", lab, title="开放仪器")
    html = client.get(f"/resources/{on.id}").get_data(as_text=True)
    assert '<dd id="bookable-online">是</dd>' in html and "暂不开放在线预约" not in html
