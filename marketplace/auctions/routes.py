"""Auction pages: the list, the live page (polled with an ETag), registering, bidding, the terms
form, review, confirmation and refunds. Thin: one unit of work per post."""
import hashlib

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..catalog.models import Achievement
from ..core.db import find
from ..core.errors import NotFound
from ..core.timeutil import isoformat, utcnow
from ..core.uow import unit_of_work
from ..extensions import db
from ..payments.card_page import post_card, render_card_page
from ..payments.forms import CardTokenForm
from . import services
from .forms import AuctionTermsForm, BidForm, RefundForm, RegisterForm, ReviewForm
from .models import Auction
from .states import PHASES, REGISTRATION_STATUSES

bp = Blueprint("auctions", __name__, url_prefix="/auctions")


def _user():
    return current_user if current_user.is_authenticated else None


@bp.route("/")
def index():
    auctions = list(db.session.scalars(sa.select(Auction).where(Auction.status.in_(("scheduled", "awarded", "failed")))
                                       .order_by(Auction.ends_at.desc()).limit(100)))
    now = utcnow()
    return render_template("auctions/index.html", auctions=auctions, phase=lambda a: services.phase(a, now),
                           phases=PHASES)


def _state(auction) -> dict:
    view = services.auction_view(auction, actor=_user())
    view["bids"] = [{**b, "amount_text": f"¥{b['amount'] / 100:,.2f}", "at": isoformat(b["at"])} for b in view["bids"]]
    for key in ("registration_deadline", "starts_at", "ends_at"):
        view[key] = isoformat(view[key])
    view["highest_text"] = f"¥{view['highest'] / 100:,.2f}" if view["highest"] is not None else _("暂无出价")
    view["next_valid_text"] = f"¥{view['next_valid'] / 100:,.2f}"
    view["phase_name"] = str(_(PHASES[view["status"]]))
    if view["mine"]:
        view["mine"]["status_name"] = str(_(REGISTRATION_STATUSES[view["mine"]["status"]]))
    return view


@bp.route("/<int:auction_id>")
def detail(auction_id):
    auction = services.get_auction(auction_id, actor=_user())
    registrations = services.registrations_of(auction) if _user() and (
        current_user.has_role("reviewer") or current_user.has_role("finance")) else []
    return render_template("auctions/detail.html", auction=auction, state=_state(auction), bid_form=BidForm(),
                           register_form=RegisterForm(), refund_form=RefundForm(), registrations=registrations,
                           statuses=REGISTRATION_STATUSES,
                           poll_ms=int(current_app.config["AUCTIONS_POLL_SECONDS"]) * 1000)


@bp.route("/<int:auction_id>/state.json")
def state(auction_id):
    """The live state for the page's polling: an ETag over what can change (bids, end, phase, the
    caller's registration) answers 304 while nothing moved."""
    auction = services.get_auction(auction_id, actor=_user())
    view = _state(auction)
    mine = view["mine"] or {}
    tag = hashlib.sha1(f"{auction.id}|{auction.bid_count}|{view['ends_at']}|{view['status']}|{mine.get('status')}|"
                       f"{get_locale()}".encode()).hexdigest()[:20]
    if request.if_none_match.contains(tag):
        resp = current_app.response_class(status=304)
    else:
        resp = jsonify(view)
    resp.set_etag(tag)
    resp.headers["Cache-Control"] = "no-cache"
    return resp


@bp.route("/<int:auction_id>/register", methods=["POST"])
@login_required
def register(auction_id):
    auction = services.get_auction(auction_id, actor=current_user)
    form = RegisterForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            services.register(auction, actor=current_user)
        if work.committed:
            flash(_("已报名，请按页面所示汇款识别码转账交纳保证金"), "success")
    return redirect(url_for("auctions.detail", auction_id=auction_id))


@bp.route("/<int:auction_id>/bid", methods=["POST"])
@login_required
def bid(auction_id):
    auction = services.get_auction(auction_id, actor=current_user)
    form = BidForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            services.place_bid(auction, form.amount.fen, actor=current_user)
        if work.committed:
            flash(_("出价成功"), "success")
            return redirect(url_for("auctions.detail", auction_id=auction_id))
    auction = services.get_auction(auction_id, actor=current_user)
    return render_template("auctions/detail.html", auction=auction, state=_state(auction), bid_form=form,
                           register_form=RegisterForm(), refund_form=RefundForm(), registrations=[],
                           statuses=REGISTRATION_STATUSES,
                           poll_ms=int(current_app.config["AUCTIONS_POLL_SECONDS"]) * 1000), 422


@bp.route("/new/<int:achievement_id>", methods=["GET", "POST"])
@login_required
def new(achievement_id):
    achievement = find(Achievement, achievement_id)
    if achievement is None or not current_user.is_member_of(achievement.owner_org_id):
        raise NotFound()
    form = AuctionTermsForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            auction = services.create_auction(achievement.id, form.values(), actor=current_user)
        if work.committed:
            flash(_("竞价条件已提交审核"), "success")
            return redirect(url_for("auctions.detail", auction_id=auction.id))
    return render_template("auctions/terms_form.html", form=form, achievement=achievement)


@bp.route("/review")
@login_required
def review():
    return render_template("auctions/review.html", auctions=services.review_queue(actor=current_user),
                           form=ReviewForm())


@bp.route("/<int:auction_id>/review", methods=["POST"])
@login_required
def review_one(auction_id):
    auction = services.get_auction(auction_id, actor=current_user)
    form = ReviewForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            services.review_auction(auction, actor=current_user, approve=form.decision.data == "approve",
                                    reason=form.reason.data or "")
        if work.committed:
            flash(_("已审核"), "success")
    return redirect(url_for("auctions.review"))


@bp.route("/<int:auction_id>/registrations/<int:registration_id>/<any(confirm, refund):action>", methods=["POST"])
@login_required
def registration_step(auction_id, registration_id, action):
    auction = services.get_auction(auction_id, actor=current_user)
    reg = services.get_registration(auction, registration_id, actor=current_user)
    form = RefundForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            if action == "confirm":
                services.confirm_registration(reg, actor=current_user)
            else:
                services.record_refund(reg, actor=current_user, reference=form.reference.data or "")
        if work.committed:
            flash(_("已确认竞买资格") if action == "confirm" else _("已登记保证金退还"), "success")
    return redirect(url_for("auctions.detail", auction_id=auction_id))


@bp.route("/<int:auction_id>/registrations/<int:registration_id>/card", methods=["GET", "POST"])
@login_required
def deposit_card(auction_id, registration_id):
    """Pay the deposit by card: the gateway's own script takes the card in the browser and hands the
    platform only the card's id (the number never reaches us); above the ceiling, by transfer."""
    auction = services.get_auction(auction_id, actor=current_user)
    reg = services.get_registration(auction, registration_id, actor=current_user)
    form = CardTokenForm()
    status = 200
    if request.method == "POST":
        work, payment = post_card(form, lambda card: services.pay_deposit_with_payment_method(
            reg, actor=current_user, payment_method=card))
        if work.committed:
            if payment is None or payment.status == "succeeded":
                flash(_("保证金已交纳"), "success")
            else:
                flash(_("付款处理中，结果确认后将自动登记保证金"), "info")
            return redirect(url_for("auctions.detail", auction_id=auction_id))
        status = work.error.status
        reg = services.get_registration(auction, registration_id, actor=current_user)
    return render_card_page("auctions/card.html", status, auction=auction, reg=reg, form=form,
                            card_refusal=services.deposit_card_refusal(reg),
                            payer=current_user.is_member_of(reg.org_id))
