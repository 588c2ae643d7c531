"""Each role's workbench shows its own queue with counts, deadlines and the way to act; the API agrees."""
from datetime import timedelta

from marketplace.extensions import db
from tests.booking.conftest import slot


def _section(html: str, kind: str) -> str:
    assert f'id="queue-{kind}"' in html, kind
    return html.split(f'id="queue-{kind}"')[1].split("</section>")[0]


def _menu(html: str) -> str:
    return html.split('id="site-nav"')[1].split("</nav>")[0]


def test_a_lab_approves_a_request_from_its_workbench(client, login, make_org, make_user, make_resource):
    from marketplace.booking.models import Booking
    lab = make_org(name="南京大学现代分析中心", kind="university")
    company = make_org(name="无锡感知科技有限公司", kind="enterprise", city="无锡")
    inst = make_resource("instrument", lab, title="场发射扫描电镜")
    lab_user, co_user = make_user(org=lab), make_user(org=company)
    start, end = slot(day_offset=1, hh=9)
    b = Booking(instrument_id=inst.id, user_id=co_user.id, org_id=company.id, provider_org_id=lab.id, start=start,
                end=end, purpose="样品形貌观察", status="requested", price_unit="hour", unit_price=40_000,
                internal=False, service_mode="staff_operated", fee=40_000)
    db.session.add(b)
    db.session.commit()
    login(client, lab_user)
    html = client.get("/workbench").get_data(as_text=True)
    card = _section(html, "booking_request")
    assert "场发射扫描电镜" in card and "无锡感知科技有限公司" in card and f"/booking/{b.id}" in card
    assert f"期限 {(start + timedelta(hours=8)).date().isoformat()}" in card  # decided before it starts (Beijing day)
    assert 'data-count="1"' in _menu(html).split("预约审批")[1].split("</a>")[0]
    client.post(f"/booking/{b.id}/approve")
    html = client.get("/workbench").get_data(as_text=True)
    assert '<span class="badge">0</span>' in _section(html, "booking_request")


def test_the_registrar_sees_the_statutory_deadline_and_the_seller_a_return(client, login, create, headers,
                                                                         registrar, seller):
    from marketplace.registration.models import ContractRegistration
    reg = create()
    assert client.post(f"/api/v1/contract-registrations/{reg['id']}/submit", json={},
                       headers=headers["seller"]).status_code == 200
    row = db.session.get(ContractRegistration, reg["id"])
    login(client, registrar)
    card = _section(client.get("/workbench").get_data(as_text=True), "registration")
    assert "高性能锂电池正极材料技术开发" in card and f"期限 {row.due_on.isoformat()}" in card
    assert "¥1,200,000.00" in card  # the contract's amount in yuan, not fen
    row.due_on = row.submitted_on - timedelta(days=1)
    db.session.commit()
    card = _section(client.get("/workbench").get_data(as_text=True), "registration")
    assert "已超期" in card
    # returned: the seller's workbench shows the correction to make; before that it does not show the queue
    client.post("/logout")
    login(client, seller)
    assert 'id="queue-registration_returned"' not in client.get("/workbench").get_data(as_text=True)
    assert client.post(f"/api/v1/contract-registrations/{reg['id']}/return", json={"comment": "补充合同原件"},
                       headers=headers["registrar"]).status_code == 200
    card = _section(client.get("/workbench").get_data(as_text=True), "registration_returned")
    assert "高性能锂电池正极材料技术开发" in card


def test_a_seller_answers_an_offer_and_a_reviewer_an_objection(client, login, world, api_token):
    buyer = api_token(world.buyer_user)
    deal = client.post("/api/v1/deals", json={"achievement_id": world.private.id, "mode": "transfer",
                                              "amount": 340_000_000}, headers=buyer).get_json()
    login(client, world.seller_user)
    card = _section(client.get("/workbench").get_data(as_text=True), "offer")
    assert "工业视觉检测算法" in card and "¥3,400,000.00" in card and f"/trading/deals/{deal['id']}" in card
    client.post("/logout")
    login(client, world.buyer_user)  # the buyer made the last offer: nothing to answer
    assert '<span class="badge">0</span>' in _section(client.get("/workbench").get_data(as_text=True), "offer")


def test_the_api_lists_items_oldest_first_with_counts(client, world, api_token, make_demand):
    from marketplace.core.timeutil import utcnow
    older = make_demand(status="pending_review", title="寻求锂电池回收技术")
    newer = make_demand(status="pending_review", title="寻求工业视觉算法")
    older.updated_at = utcnow() - timedelta(days=30)
    db.session.commit()
    body = client.get("/api/v1/workbench", headers=api_token(world.reviewer)).get_json()
    demands = [i for i in body["items"] if i["kind"] == "demand"]
    assert [i["id"] for i in demands] == [older.id, newer.id]
    assert body["counts"]["demand"] == 2 and body["counts"]["listing"] == 0
    assert demands[0]["overdue"] is True and demands[1]["overdue"] is False
    assert demands[0]["url"] == f"/trading/demands/{older.id}" and demands[0]["since"].endswith("+08:00")
    assert "demand" not in client.get("/api/v1/workbench", headers=api_token(world.buyer_user)).get_json()["counts"]


def test_the_api_refuses_strangers_and_bad_limits(client, world, api_token):
    assert client.get("/api/v1/workbench").status_code == 401
    token = api_token(world.reviewer)
    for bad in ("0", "101", "abc", "1e9"):
        resp = client.get(f"/api/v1/workbench?limit={bad}", headers=token)
        assert resp.status_code == 422 and "limit" in resp.get_json()["errors"], bad
