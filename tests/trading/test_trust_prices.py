"""Issue 25 (Low): a state-owned enterprise skipped the public notice by unticking its listing's box (now a
verified state-owned claim decides), and a price changed after agreement stood next to the other side's
agreement and signature (now it reopens the negotiation and, for state-owned technology, the notice)."""
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.core.errors import Conflict, Forbidden, Invalid
from marketplace.extensions import db
from marketplace.trading import services
from marketplace.trading.models import Deal, DealInstalment, DealSignature
from marketplace.uploads.services import store_upload
from marketplace.verification import services as vs

from .conftest import NOW, schedule

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
REGISTRATION = "3200002026000123"  # 国有资产产权登记证 number


def terms(total):
    return {"contract_type": "transfer", "total_amount": total, "tech_amount": total, "instalments": schedule(total, 2)}


def claim_state_owned(org, member):
    upload = store_upload(io.BytesIO(PDF), "产权登记证.pdf", actor=member)
    return vs.claim_qualification(org, actor=member, kind="state_owned", number=REGISTRATION, document_ids=[upload.id])


def test_a_state_owned_enterprise_cannot_skip_the_notice_by_unticking_state_owned(world, make_org, make_user,
                                                                                 make_resource):
    soe = make_org(name="江苏某国有集团公司", kind="enterprise", city="南京")
    member = make_user(soe)
    listing = make_resource("achievement", soe, title="大型变压器在线监测", state_owned=False)  # box unticked
    claim = claim_state_owned(soe, member)
    db.session.commit()
    # A claim alone proves nothing: still a private sale.
    pending = services.create_deal(actor=world.buyer_user, mode="transfer", amount=1_000_000,
                                   achievement_id=listing.id, now=NOW)
    assert not pending.state_owned
    services.cancel_deal(pending, actor=world.buyer_user, reason_code="other", comment="重新报价", now=NOW)
    vs.verify_qualification(claim, actor=world.reviewer)
    db.session.commit()
    assert vs.effective_flags(soe).state_owned
    deal = services.create_deal(actor=world.buyer_user, mode="transfer", amount=1_000_000,
                                achievement_id=listing.id, now=NOW)
    assert deal.state_owned
    services.accept_offer(deal, actor=member, now=NOW)
    assert deal.status == "public_notice" and deal.notice_ends_at == NOW + timedelta(days=15)


def test_a_state_owned_claim_needs_its_registration_number_and_no_dates(world, make_org, make_user):
    soe = make_org(name="江苏某国有公司", kind="enterprise")
    member = make_user(soe)
    upload = store_upload(io.BytesIO(PDF), "产权登记证.pdf", actor=member)
    for number, field in (("", "number"), ("<b>x", "number"), ("国资", "number")):
        with pytest.raises(Invalid) as err:
            vs.claim_qualification(soe, actor=member, kind="state_owned", number=number, document_ids=[upload.id])
        assert field in err.value.errors
    with pytest.raises(Invalid):
        vs.claim_qualification(soe, actor=member, kind="state_owned", number=REGISTRATION, document_ids=[upload.id],
                               valid_until=NOW.date() + timedelta(days=365))
    outsider = make_user(world.other)
    with pytest.raises(Forbidden):
        vs.claim_qualification(soe, actor=outsider, kind="state_owned", number=REGISTRATION, document_ids=[])


def _signatures(deal_id):
    return db.session.scalar(sa.select(sa.func.count()).select_from(DealSignature).where(DealSignature.deal_id == deal_id))


def test_a_new_price_after_agreement_voids_the_other_sides_signature_and_reopens_negotiation(world):
    deal = services.create_deal(actor=world.buyer_user, mode="transfer", amount=20_000_000,
                                achievement_id=world.private.id, now=NOW)
    services.accept_offer(deal, actor=world.seller_user, now=NOW)
    services.sign_deal(deal, actor=world.buyer_user, now=NOW, **terms(20_000_000))  # the buyer signed ¥200,000
    db.session.commit()
    assert "offer" in services.deal_actions(deal, NOW, actor=world.seller_user)
    with pytest.raises(Forbidden):  # an outsider changes nothing
        services.make_offer(deal, actor=world.other_user, amount=1, now=NOW)
    services.make_offer(deal, actor=world.seller_user, amount=200_000_000, message="涨价", now=NOW)
    db.session.commit()
    db.session.expire_all()
    deal = db.session.get(Deal, deal.id)
    assert (deal.status, deal.amount, deal.agreed_at, _signatures(deal.id)) == ("negotiating", 200_000_000, None, 0)
    # The seller cannot sign its own new price: the buyer has not agreed to it.
    with pytest.raises(Conflict):
        services.sign_deal(deal, actor=world.seller_user, now=NOW, **terms(200_000_000))
    with pytest.raises(Forbidden):  # nor accept its own offer
        services.accept_offer(deal, actor=world.seller_user, now=NOW)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DealInstalment)) == 0
    services.accept_offer(deal, actor=world.buyer_user, now=NOW)
    assert deal.status == "agreed" and deal.amount == 200_000_000


def test_a_new_price_on_a_noticed_deal_needs_a_new_notice(world):
    deal = services.create_deal(actor=world.buyer_user, mode="transfer", amount=100_000_000,
                                achievement_id=world.state_owned.id, now=NOW)
    services.accept_offer(deal, actor=world.seller_user, now=NOW)
    after = deal.notice_ends_at + timedelta(minutes=1)
    services.sign_deal(deal, actor=world.seller_user, now=after, **terms(100_000_000))
    services.make_offer(deal, actor=world.buyer_user, amount=100, message="降价", now=after)  # ¥1 after the notice
    db.session.commit()
    assert (deal.status, deal.notice_ends_at, _signatures(deal.id)) == ("negotiating", None, 0)
    later = after + timedelta(hours=1)
    services.accept_offer(deal, actor=world.seller_user, now=later)
    assert deal.status == "public_notice" and deal.notice_ends_at == later + timedelta(days=15)
    with pytest.raises(Conflict):  # the new price is signed only after its own notice
        services.sign_deal(deal, actor=world.buyer_user, now=later, **terms(100))
    assert deal.status == "public_notice" and _signatures(deal.id) == 0
