"""One language at a time: audit trails read as sentences with labels and yuan, in the interface
language, never codes and fen."""
import re

from marketplace.extensions import db
from tests.booking.conftest import slot


def _trail(html: str) -> str:
    return html.split('<ol class="history">')[1].split("</ol>")[0]


def test_a_deal_history_says_who_offered_what_in_yuan(client, login, world, api_token):
    buyer = api_token(world.buyer_user)
    deal = client.post("/api/v1/deals", json={"achievement_id": world.private.id, "mode": "transfer",
                                              "amount": 300_000_000}, headers=buyer).get_json()
    client.post(f"/api/v1/deals/{deal['id']}/offer", json={"amount": 340_000_000, "message": "还价"},
                headers=api_token(world.seller_user))
    login(client, world.buyer_user)
    trail = _trail(client.get(f"/trading/deals/{deal['id']}").get_data(as_text=True))
    assert "买方报价 ¥3,000,000.00" in trail and "卖方报价 ¥3,400,000.00" in trail
    assert "300000000" not in trail and "buyer" not in trail and "negotiating" not in trail
    client.get("/lang/en")
    trail = _trail(client.get(f"/trading/deals/{deal['id']}").get_data(as_text=True))
    assert "Seller offers ¥3,400,000.00" in trail
    assert not re.search(r"[\u4e00-\u9fff]", trail.replace("还价", "")), trail  # only the user's own words stay


def test_a_booking_history_names_the_state_once(client, login, make_org, make_user, make_resource):
    from marketplace.booking.models import Booking
    from marketplace.core.audit import record
    lab = make_org(kind="university")
    inst = make_resource("instrument", lab, title="场发射扫描电镜")
    user = make_user(org=make_org(kind="enterprise"))
    start, end = slot()
    b = Booking(instrument_id=inst.id, user_id=user.id, org_id=user.organisation_id, provider_org_id=lab.id,
                start=start, end=end, purpose="测试", status="requested", price_unit="hour", unit_price=40_000,
                internal=False, service_mode="staff_operated", fee=40_000)
    db.session.add(b)
    db.session.flush()
    record("booking", b.id, "requested", actor=user, to_state="requested")
    db.session.commit()
    login(client, user)
    trail = _trail(client.get(f"/booking/{b.id}").get_data(as_text=True))
    assert "待审批" in trail and "requested" not in trail.replace('data-action="requested"', "")


def test_the_english_census_names_cities_and_categories_in_english(client, make_org, make_resource):
    lab = make_org(name="Suzhou Lab", kind="university", city="苏州")
    make_resource("instrument", lab, title="FE-SEM", category_l1="分析仪器")
    client.get("/lang/en")
    table = client.get("/census/table?group_by=city").get_data(as_text=True).split('id="census-detail"')[1]
    assert '<th scope="row">Suzhou</th>' in table and "苏州" not in re.sub(r'data-key="[^"]*"', "", table)
    page = client.get("/census").get_data(as_text=True)
    shown = re.sub(r'data-key="[^"]*"|<script.*?</script>', "", page.split("<main")[1], flags=re.S)
    assert "Analytical instruments" in shown and "分析仪器" not in shown
    assert "（分）" not in page and "(fen)" not in page  # the page shows yuan, and says nothing else
    rows = client.get("/api/v1/census?year=2026&group_by=type", headers={"Accept-Language": "en"}).get_json()["rows"]
    assert [(r["key"], r["label"]) for r in rows] == [("分析仪器", "Analytical instruments")]


def test_the_notice_end_is_said_in_beijing_time(client, world, api_token):
    from marketplace.core.timeutil import to_local
    from marketplace.trading.models import Deal
    buyer, seller = api_token(world.buyer_user), api_token(world.seller_user)
    deal = client.post("/api/v1/deals", json={"achievement_id": world.state_owned.id, "mode": "transfer",
                                              "amount": 28_000_000}, headers=buyer).get_json()
    client.post(f"/api/v1/deals/{deal['id']}/accept", json={}, headers=seller)
    ends = db.session.get(Deal, deal["id"]).notice_ends_at
    resp = client.post(f"/api/v1/deals/{deal['id']}/sign", json={"contract_type": "transfer",
                       "total_amount": 28_000_000, "tech_amount": 28_000_000,
                       "instalments": [{"due_on": "2027-01-31", "amount": 28_000_000}]}, headers=buyer)
    assert resp.status_code == 409
    assert to_local(ends).strftime("%Y-%m-%d %H:%M") in resp.get_json()["detail"]
