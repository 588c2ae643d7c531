"""Technology demands and deals over the trading services."""
from ..core.permissions import require_login
from ..trading import services
from ..trading.schemas import (
    CancelIn,
    CommissionRateIn,
    CommissionRateOut,
    DealIn,
    DealList,
    DealOut,
    DemandIn,
    DemandOut,
    DemandPage,
    DemandQuery,
    DemandReasonIn,
    FirmCommissionOut,
    InstalmentRefundIn,
    InstalmentScheduleOut,
    NoticeList,
    NoticeOut,
    ObjectionIn,
    OfferIn,
    PayIn,
    ResolveIn,
    SignIn,
    Suggestion,
)
from ..trading.services import matching, supervision
from ..trading.services import payments as deal_payments
from .common import api_actor
from .spec import endpoint

ERRORS = (401, 403, 404, 409, 422)


def demand_out(demand, suggested=False) -> DemandOut:
    out = DemandOut.model_validate(demand)
    if suggested:
        out.suggested = [Suggestion(id=s["id"], title=s["title"], score=s["score"])
                         for s in matching.suggested_for_demand(demand)]
    return out


def deal_out(deal, payment=None, viewer=None, public_check=False) -> DealOut:
    out = DealOut.model_validate(deal)
    out.waiting_for = services.waiting_for(deal)
    out.signed_sides = sorted(s.side for s in deal.signatures)
    out.mandated_sides = [side for side in ("buyer", "seller") if getattr(deal, f"{side}_mandate_at")]
    if public_check and not services.is_insider(deal, actor=viewer):
        # Anyone may read a deal in public notice: its name, parties and price, not the negotiation.
        out.offers, out.instalments, out.cancel_comment = [], [], None
    if payment is not None:
        out.payment_intent = payment.payment_intent_id
        out.client_secret = payment.client_secret
    return out


# -- demands ---------------------------------------------------------------------------------------

@endpoint("/demands", "POST", body=DemandIn, answer=DemandOut, status=201, errors=ERRORS, tags=["trading"])
def create_demand(json: DemandIn):
    """Post a technology demand (a draft of the caller's organisation)."""
    actor = require_login(api_actor())
    demand = services.create_demand(json.model_dump(), actor=actor)
    return demand_out(demand), 201, {"Location": f"/api/v1/demands/{demand.id}"}


@endpoint("/demands", query=DemandQuery, answer=DemandPage, errors=(422,), tags=["trading"])
def list_demands(query: DemandQuery):
    """Published demands whose deadline has not passed; `q` matches title and summary."""
    page = services.list_demands(q=query.q, field=query.field, city=query.city, page=query.page,
                                 per_page=query.per_page)
    return DemandPage(items=[demand_out(d) for d in page.items], total=page.total or 0, page=query.page,
                      per_page=query.per_page)


@endpoint("/demands/<int:id>", answer=DemandOut, errors=(404,), tags=["trading"])
def get_demand(id):
    """A demand with `suggested` achievements (more-like-this over the index, field and city ranked up)."""
    return demand_out(services.get_demand(id, actor=api_actor()), suggested=True)


def _demand_step(id, action, reason=None):
    actor = require_login(api_actor())
    demand = services.get_demand(id, actor=actor)
    return demand_out(services.demand_action(demand, action, actor=actor, reason=reason))


@endpoint("/demands/<int:id>/submit", "POST", answer=DemandOut, errors=ERRORS, tags=["trading"])
def submit_demand(id):
    """The demand's organisation submits it for review."""
    return _demand_step(id, "submit")


@endpoint("/demands/<int:id>/publish", "POST", answer=DemandOut, errors=ERRORS, tags=["trading"])
def publish_demand(id):
    """A reviewer publishes a demand pending review."""
    return _demand_step(id, "publish")


@endpoint("/demands/<int:id>/reject", "POST", body=DemandReasonIn, answer=DemandOut, errors=ERRORS,
          tags=["trading"])
def reject_demand(id, json: DemandReasonIn):
    """A reviewer rejects a demand; `reason` is required."""
    return _demand_step(id, "reject", json.reason)


@endpoint("/demands/<int:id>/offline", "POST", answer=DemandOut, errors=ERRORS, tags=["trading"])
def offline_demand(id):
    """The demand's organisation takes a published demand offline."""
    return _demand_step(id, "offline")


# -- deals -----------------------------------------------------------------------------------------

@endpoint("/deals", "POST", body=DealIn, answer=DealOut, status=201, errors=ERRORS, tags=["trading"])
def create_deal(json: DealIn):
    """An offer on an achievement, an answer to a demand, or a broker's deal naming both organisations.
    `agreed` at once when the amount is a fixed listing's price."""
    actor = require_login(api_actor())
    deal = services.create_deal(actor=actor, **json.model_dump())
    return deal_out(deal), 201, {"Location": f"/api/v1/deals/{deal.id}"}


@endpoint("/deals", answer=DealList, errors=(401,), tags=["trading"])
def list_deals():
    """The caller's deals: brokered by them, or of their organisation."""
    actor = require_login(api_actor())
    seen, items = set(), []
    for deal in services.broker_deals(actor=actor) + services.org_deals(actor=actor):
        if deal.id not in seen:
            seen.add(deal.id)
            items.append(deal_out(deal))
    return DealList(items=items)


@endpoint("/deals/notices", answer=NoticeList, tags=["trading"])
def list_notices():
    """Public: deals in public notice (name, parties, price, end date)."""
    return NoticeList(items=[NoticeOut(id=d.id, title=d.title, seller=d.seller_org.name, buyer=d.buyer_org.name,
                                       amount=d.amount, notice_ends_at=d.notice_ends_at, status=d.status)
                             for d in services.notices()])


@endpoint("/deals/<int:id>", answer=DealOut, errors=(404,), tags=["trading"])
def get_deal(id):
    """A deal (its parties, its broker, reviewers; anyone while it is in public notice)."""
    actor = api_actor()
    return deal_out(services.get_deal(id, actor=actor), viewer=actor, public_check=True)


def _deal(id):
    actor = require_login(api_actor())
    return services.get_deal(id, actor=actor), actor


@endpoint("/deals/<int:id>/offer", "POST", body=OfferIn, answer=DealOut, errors=ERRORS, tags=["trading"])
def offer_deal(id, json: OfferIn):
    """A counter-offer from the side whose turn it is."""
    deal, actor = _deal(id)
    return deal_out(services.make_offer(deal, actor=actor, amount=json.amount, message=json.message))


@endpoint("/deals/<int:id>/accept", "POST", answer=DealOut, errors=ERRORS, tags=["trading"])
def accept_deal(id):
    """The side that did not make the last offer accepts it (public notice for a state-owned seller)."""
    deal, actor = _deal(id)
    return deal_out(services.accept_offer(deal, actor=actor))


@endpoint("/deals/<int:id>/object", "POST", body=ObjectionIn, answer=DealOut, errors=ERRORS, tags=["trading"])
def object_deal(id, json: ObjectionIn):
    """Anyone signed in objects to a deal in public notice; the deal pauses."""
    deal, actor = _deal(id)
    return deal_out(services.object_to_deal(deal, actor=actor, reason=json.reason), viewer=actor, public_check=True)


@endpoint("/deals/<int:id>/resolve-objection", "POST", body=ResolveIn, answer=DealOut, errors=ERRORS,
          tags=["trading"])
def resolve_objection(id, json: ResolveIn):
    """A reviewer upholds (cancelled, objection_upheld) or dismisses (notice continues) the objection."""
    deal, actor = _deal(id)
    return deal_out(services.resolve_objection(deal, actor=actor, upheld=json.upheld, comment=json.comment))


@endpoint("/deals/<int:id>/sign", "POST", body=SignIn, answer=DealOut, errors=ERRORS, tags=["trading"])
def sign_deal(id, json: SignIn):
    """Sign for the caller's side: contract type, 合同成交额 (= the agreed or noticed price), 技术交易额 ≤ 成交额,
    instalments summing to the total. The deal is signed once the other side signed the same terms."""
    deal, actor = _deal(id)
    return deal_out(services.sign_deal(deal, actor=actor, contract_type=json.contract_type,
                                       total_amount=json.total_amount, tech_amount=json.tech_amount,
                                       instalments=[(i.due_on, i.amount) for i in json.instalments]))


@endpoint("/deals/<int:id>/confirm-mandate", "POST", answer=DealOut, errors=ERRORS, tags=["trading"])
def confirm_mandate(id):
    """A member of a party confirms that the deal's broker acts for it (委托); until then the broker
    cannot accept, offer or sign for that party."""
    deal, actor = _deal(id)
    return deal_out(services.confirm_mandate(deal, actor=actor))


@endpoint("/deals/<int:id>/pay", "POST", body=PayIn, answer=DealOut, errors=(*ERRORS, 503), tags=["trading"])
def pay_deal(id, json: PayIn):
    """Create (or reuse) the PaymentIntent of an instalment; adds `payment_intent` and `client_secret`."""
    deal, actor = _deal(id)
    payment = deal_payments.start_instalment_payment(deal, json.instalment, actor=actor)
    return deal_out(services.get_deal(id, actor=actor), payment)


# -- instalments under supervision (资金监管) -----------------------------------------------------------

def schedule_out(deal, *, actor) -> InstalmentScheduleOut:
    from ..trading.accounting import deal_money
    instalments = supervision.instalments_of(deal, actor=actor)
    money = deal_money(deal)
    first = supervision.transfer_instructions(instalments[0]) if instalments else {}
    return InstalmentScheduleOut(
        deal_id=deal.id, status=deal.status, commission_bp=deal.commission_bp,
        account={k: first.get(k, "") for k in ("account_name", "account_number", "bank")},
        instalments=instalments, held=money["held"], released_to_seller=money["seller"],
        commission=money["commission"], refunded=money["refunded"])


@endpoint("/deals/<int:id>/instalments", answer=InstalmentScheduleOut, errors=(401, 403, 404), tags=["trading"])
def deal_instalments(id):
    """The instalments with their remittance codes and status (due, held, released, refunded), the
    supervised account to transfer to, and what is held, released and refunded (fen)."""
    deal, actor = _deal(id)
    return schedule_out(deal, actor=actor)


@endpoint("/deals/<int:id>/instalments/<int:n>/confirm", "POST", answer=InstalmentScheduleOut, errors=ERRORS,
          tags=["trading"])
def confirm_instalment(id, n):
    """The buyer confirms instalment N's milestone: its held money is released to the seller and the
    broker firm's commission (409 when it has not arrived, or was released or refunded already)."""
    deal, actor = _deal(id)
    supervision.confirm_instalment(deal, n, actor=actor)
    return schedule_out(deal, actor=actor)


@endpoint("/deals/<int:id>/instalments/<int:n>/refund", "POST", body=InstalmentRefundIn,
          answer=InstalmentScheduleOut, errors=ERRORS, tags=["trading"])
def refund_instalment(id, n, json: InstalmentRefundIn):
    """Finance returns a held instalment to the buyer by bank transfer (with the reason)."""
    deal, actor = _deal(id)
    supervision.refund_instalment(deal, n, json.reason, actor=actor)
    return schedule_out(deal, actor=actor)


@endpoint("/deals/<int:id>/complete", "POST", answer=DealOut, errors=ERRORS, tags=["trading"])
def complete_deal(id):
    """A party completes a deal whose instalments are all released."""
    deal, actor = _deal(id)
    return deal_out(services.complete_deal(deal, actor=actor))


@endpoint("/deals/<int:id>/cancel", "POST", body=CancelIn, answer=DealOut, errors=ERRORS, tags=["trading"])
def cancel_deal(id, json: CancelIn):
    """Cancel with a structured reason (price, terms, withdrawn, other + comment)."""
    deal, actor = _deal(id)
    return deal_out(services.cancel_deal(deal, actor=actor, reason_code=json.reason_code, comment=json.comment))


# -- broker firms' commission rates (finance) --------------------------------------------------------

def _commission_out(firm) -> FirmCommissionOut:
    from ..trading.services import commissions as rates
    return FirmCommissionOut(firm_id=firm.id, firm_name=firm.name,
                             current_bp=rates.rate_on(firm, rates.local_today()),
                             history=[CommissionRateOut.model_validate(r) for r in rates.rate_history(firm)])


@endpoint("/firms/<int:id>/commission", answer=FirmCommissionOut, errors=(401, 403, 404), tags=["trading"])
def get_firm_commission(id):
    """Finance: a filed firm's commission rate today and its history (newest effective date first)."""
    from ..trading.services import commissions as rates
    return _commission_out(rates.get_rated_firm(id, actor=require_login(api_actor())))


@endpoint("/firms/<int:id>/commission", "POST", body=CommissionRateIn, answer=FirmCommissionOut, status=201,
          errors=ERRORS, tags=["trading"])
def set_firm_commission(id, json: CommissionRateIn):
    """Finance sets a filed firm's commission rate from `effective_on` on (deals take the rate of their
    signing day); audited, appended to the history."""
    from ..trading.services import commissions as rates
    actor = require_login(api_actor())
    firm = rates.get_rated_firm(id, actor=actor)
    rates.set_firm_commission(firm, json.basis_points, effective_on=json.effective_on, note=json.note, actor=actor)
    return _commission_out(firm), 201
