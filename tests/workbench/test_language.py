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
    record("booking", b.id, "requested", user, to_state="requested")
    db.session.commit()
    login(client, user)
    trail = _trail(client.get(f"/booking/{b.id}").get_data(as_text=True))
    assert "待审批" in trail and "requested" not in trail.replace('data-action="requested"', "")
