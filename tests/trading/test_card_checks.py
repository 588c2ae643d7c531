"""Deal instalments are paid with the same card checks as bookings (payments.services.checkout): an
expired card is refused before the gateway, and a decline is told in the platform's words."""
import pytest
import sqlalchemy as sa

from marketplace.core.errors import Invalid
from marketplace.extensions import db
from marketplace.payments.models import Payment
from marketplace.trading.services import payments as pay

from .test_payments import gateway_up, signed  # noqa: F401  (fixtures)


def test_expired_card_refused_before_the_gateway(app, world, signed):  # noqa: F811
    with pytest.raises(Invalid) as err:
        pay.pay_instalment_with_card(signed, 1, actor=world.buyer_user, number="4242424242424242",
                                     exp_month=1, exp_year=2020, cvc="123")
    assert err.value.errors == {"exp_year": ["银行卡已过期（有效期 01/2020）"]}
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 0


def test_declined_card_in_the_platforms_words(app, world, signed, gateway_up):  # noqa: F811
    with pytest.raises(Invalid) as err:
        pay.pay_instalment_with_card(signed, 1, actor=world.buyer_user, number="4000000000000002",
                                     exp_month=12, exp_year=2030, cvc="123")
    assert err.value.errors == {"number": ["银行卡被拒绝，请换一张卡或联系发卡行"]}
    db.session.rollback()
    assert db.session.scalars(sa.select(Payment.failure_message)).all() == ["银行卡被拒绝，请换一张卡或联系发卡行"]
