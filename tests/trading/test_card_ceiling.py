"""An instalment above the gateway's ceiling (¥999,999.99 per PaymentIntent) is never offered or
charged by card: the buyer is told to pay by bank transfer, and nothing is created."""
import pytest
import sqlalchemy as sa

from marketplace.core.errors import Invalid
from marketplace.extensions import db
from marketplace.payments.models import Payment
from marketplace.trading import services
from marketplace.trading.services import payments as pay

from .conftest import NOW, schedule, sign_both


@pytest.fixture
def big_deal(world):
    """¥3,000,000 + ¥999,999.99 in two instalments."""
    total = 300_000_000 + 99_999_999
    deal = services.create_deal(actor=world.broker, mode="transfer", amount=total, achievement_id=world.private.id,
                                buyer_org_id=world.buyer.id, seller_org_id=world.seller.id, now=NOW)
    services.make_offer(deal, actor=world.seller_user, amount=total, now=NOW)
    services.accept_offer(deal, actor=world.buyer_user, now=NOW)
    (first, _a), (second, _b) = schedule(total)
    rows = [(first, 300_000_000), (second, 99_999_999)]
    sign_both(deal, world.seller_user, world.buyer_user, contract_type="transfer", total_amount=total,
              tech_amount=total, instalments=rows)
    db.session.commit()
    return deal


def test_an_instalment_above_the_ceiling_refuses_card(world, big_deal, client, login):
    with pytest.raises(Invalid) as err:
        pay.start_instalment_payment(big_deal, 1, actor=world.buyer_user)
    assert "对公转账" in err.value.detail and "¥3,000,000.00" in err.value.detail
    db.session.rollback()
    with pytest.raises(Invalid):
        pay.pay_instalment_with_payment_method(big_deal, 1, actor=world.buyer_user,
                                              payment_method="card_neverreachesthegateway")
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 0
    login(client, world.buyer_user)
    page = client.get(f"/trading/deals/{big_deal.id}").get_data(as_text=True)
    assert page.count("data-transfer-only") == 1  # the ¥3 M instalment; the one at the ceiling keeps its card button
