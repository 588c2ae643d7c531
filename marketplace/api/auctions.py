"""Online bidding (网络竞价): auction terms and their review, registrations with deposits, bids."""
from ..auctions import services
from ..auctions.schemas import (
    AuctionCreatedOut,
    AuctionOut,
    AuctionReviewIn,
    AuctionTermsIn,
    BidIn,
    DepositPayIn,
    DepositPayOut,
    RefundIn,
    RegistrationOut,
)
from ..core.permissions import require_login
from .common import api_actor
from .spec import endpoint


def _out(auction, *, actor) -> AuctionOut:
    return AuctionOut.model_validate(services.auction_view(auction, actor=actor))


def _registration_out(reg) -> RegistrationOut:
    return RegistrationOut(id=reg.id, status=reg.status, deposit=reg.deposit, remittance_code=reg.remittance_code,
                           alias=reg.alias)


@endpoint("/achievements/<int:id>/auction", "POST", body=AuctionTermsIn, answer=AuctionCreatedOut, status=201,
          errors=(401, 403, 404, 409, 422), tags=["auctions"])
def create_auction(id, json: AuctionTermsIn):
    """The seller lists a published achievement by auction (listing_mode: auction) with its terms;
    a reviewer approves them before registration opens."""
    auction = services.create_auction(id, json, actor=require_login(api_actor()))
    return AuctionCreatedOut(id=auction.id, status=services.phase(auction)), 201


@endpoint("/auctions/<int:id>/review", "POST", body=AuctionReviewIn, answer=AuctionCreatedOut,
          errors=(401, 403, 404, 409, 422), tags=["auctions"])
def review_auction(id, json: AuctionReviewIn):
    """A reviewer approves the terms (the achievement is then listed by auction) or returns them with a reason."""
    actor = require_login(api_actor())
    auction = services.review_auction(services.get_auction(id, actor=actor), actor=actor, approve=json.approve,
                                      reason=json.reason)
    return AuctionCreatedOut(id=auction.id, status=services.phase(auction))


@endpoint("/auctions/<int:id>", answer=AuctionOut, errors=(404,), tags=["auctions"])
def get_auction(id):
    """The auction: phase, highest, next valid amount, time left (following extensions), the bids as
    竞买人 n, and the caller's own registration and deposit."""
    actor = api_actor()
    return _out(services.get_auction(id, actor=actor), actor=actor)


@endpoint("/auctions/<int:id>/registrations", "POST", answer=RegistrationOut, status=201,
          errors=(401, 403, 404, 409), tags=["auctions"])
def register(id):
    """A verified organisation registers (not the seller nor a related party); it pays the deposit by
    bank transfer quoting `remittance_code`, and is confirmed once the deposit is received."""
    actor = require_login(api_actor())
    return _registration_out(services.register(services.get_auction(id, actor=actor), actor=actor)), 201


@endpoint("/auctions/<int:id>/registrations/<int:rid>/pay", "POST", body=DepositPayIn, answer=DepositPayOut,
          errors=(401, 403, 404, 409, 422, 503), tags=["auctions"])
def pay_deposit(id, rid, json: DepositPayIn):
    """Pay the deposit by card through the gateway: the registration plus the PaymentIntent and its
    client_secret (or, with `payment_method`, the confirmed outcome: received and, by default,
    confirmed). 422 above the card ceiling (¥999,999.99): pay by transfer with the remittance code."""
    actor = require_login(api_actor())
    auction = services.get_auction(id, actor=actor)
    reg = services.get_registration(auction, rid, actor=actor)
    if json.payment_method:
        payment = services.pay_deposit_with_payment_method(reg, actor=actor, payment_method=json.payment_method)
    else:
        payment = services.start_deposit_payment(reg, actor=actor)
    reg = services.get_registration(services.get_auction(id, actor=actor), rid, actor=actor)
    return DepositPayOut(**_registration_out(reg).model_dump(),
                         payment_intent=payment.payment_intent_id if payment else None,
                         client_secret=payment.client_secret if payment and payment.status != "succeeded" else None)


@endpoint("/auctions/<int:id>/registrations/<int:rid>/confirm", "POST", answer=RegistrationOut,
          errors=(401, 403, 404, 409), tags=["auctions"])
def confirm_registration(id, rid):
    """Staff confirm a bidder (资格确认) whose deposit was received (when not confirmed automatically)."""
    actor = require_login(api_actor())
    auction = services.get_auction(id, actor=actor)
    return _registration_out(services.confirm_registration(services.get_registration(auction, rid, actor=actor),
                                                           actor=actor))


@endpoint("/auctions/<int:id>/registrations/<int:rid>/refund", "POST", body=RefundIn, answer=RegistrationOut,
          errors=(401, 403, 404, 409, 422), tags=["auctions"])
def refund_registration(id, rid, json: RefundIn):
    """Finance records the bank transfer that returned a losing bidder's deposit; a deposit paid by card
    is refunded through the gateway instead (when the refund after the close could not reach it)."""
    actor = require_login(api_actor())
    auction = services.get_auction(id, actor=actor)
    reg = services.get_registration(auction, rid, actor=actor)
    return _registration_out(services.record_refund(reg, actor=actor, reference=json.reference))


@endpoint("/auctions/<int:id>/bids", "POST", body=BidIn, answer=AuctionOut, status=201,
          errors=(401, 403, 404, 409, 422), tags=["auctions"])
def place_bid(id, json: BidIn):
    """A confirmed bidder bids exactly the current highest + k × increment (the first bid may equal the
    starting price) while bidding is open. Anything else is a 409 whose body carries `highest` and
    `next_valid`. A bid in the last N minutes moves the end to now + N minutes."""
    actor = require_login(api_actor())
    auction = services.get_auction(id, actor=actor)
    services.place_bid(auction, json.amount, actor=actor)
    return _out(services.get_auction(id, actor=actor), actor=actor), 201
