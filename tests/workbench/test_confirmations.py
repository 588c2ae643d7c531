"""One explicit confirmation before a big or irreversible click: accepting ¥3,400,000, approving a
contract registration without a document, applying grades to every unit."""
import re

import pytest

from marketplace.extensions import db
from marketplace.trading.models import Deal
from tests.browser import log_in


def _offer(client, world, api_token, amount=340_000_000):
    return client.post("/api/v1/deals", json={"achievement_id": world.private.id, "mode": "transfer",
                                              "amount": amount}, headers=api_token(world.buyer_user)).get_json()


def test_the_accept_button_names_the_amount_in_its_confirmation(client, login, world, api_token):
    deal = _offer(client, world, api_token)
    login(client, world.seller_user)
    html = client.get(f"/trading/deals/{deal['id']}").get_data(as_text=True)
    assert 'data-confirm="确定以 ¥3,400,000.00 接受对方报价？接受后价格即为成交价，不能撤回。"' in html


def test_approving_without_a_document_asks_first(client, login, create, headers, registrar):
    reg = create()
    client.post(f"/api/v1/contract-registrations/{reg['id']}/submit", json={}, headers=headers["seller"])
    client.post(f"/api/v1/contract-registrations/{reg['id']}/confirm", json={}, headers=headers["buyer"])
    login(client, registrar)
    html = client.get(f"/contract-registrations/{reg['id']}").get_data(as_text=True)
    form = html.split(f'action="/contract-registrations/{reg["id"]}/approve"')[1].split(">")[0]
    assert "该申请没有上传合同文本或附件。仍要准予登记？" in form


@pytest.mark.browser
@pytest.mark.slow
def test_a_seller_who_dismisses_the_confirmation_has_accepted_nothing(page, live_server, world, api_token, client):
    deal = _offer(client, world, api_token)
    log_in(page, live_server, world.seller_user.email)
    page.goto(f"{live_server}/trading/deals/{deal['id']}")
    asked = []
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    page.click("button:has-text('接受对方报价')")
    assert asked and "¥3,400,000.00" in asked[0]
    db.session.expire_all()
    assert db.session.get(Deal, deal["id"]).status == "negotiating"
    page.once("dialog", lambda d: d.accept())
    with page.expect_navigation():
        page.click("button:has-text('接受对方报价')")
    db.session.expire_all()
    assert db.session.get(Deal, deal["id"]).status != "negotiating"
    assert re.search(r"/trading/deals/\d+$", page.url)
