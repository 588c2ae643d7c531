"""Deal pages: start a deal, its page with the steps the viewer may take, checkout, notices, workspace."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...core.errors import NotFound
from ...core.uow import unit_of_work
from ...extensions import db
from ...payments.card_page import post_card, render_card_page
from ...payments.forms import CardTokenForm
from .. import services
from ..forms import (
    CancelForm,
    DealForm,
    OfferForm,
    ReasonForm,
    ResolveForm,
    SignForm,
)
from ..services import payments as deal_payments
from ..services import supervision
from ..services.payments import card_refusal
from . import _user, bp


def _subject():
    """The achievement or demand a new deal is about, from the query string."""
    from ...catalog.models import Achievement
    from ..models import Demand
    for name, model in (("achievement_id", Achievement), ("demand_id", Demand)):
        raw = request.args.get(name) or request.form.get(name)
        if raw:
            if not raw.isdigit() or len(raw) > 9:
                abort(404)
            obj = db.session.get(model, int(raw))
            if obj is None or obj.status != "published":
                raise NotFound(_("科技成果或技术需求不存在"))
            return name, obj
    abort(404)


@bp.route("/deals/new", methods=["GET", "POST"])
@login_required
def new_deal():
    kind, subject = _subject()
    form = DealForm()
    if request.method == "GET" and kind == "achievement_id" and getattr(subject, "asking_price", None):
        form.amount.data = subject.asking_price
    broker = services.is_broker(current_user)
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            deal = services.create_deal(
                actor=current_user, mode=form.mode.data, amount=form.amount.data, message=form.message.data or "",
                buyer_org_id=form.buyer_org_id.data if broker else None,
                seller_org_id=form.seller_org_id.data if broker else None,
                **{kind: subject.id})
        if work.committed:
            flash(_("交易已发起") if deal.status == "negotiating" else _("已按挂牌价成交"), "success")
            return redirect(url_for("trading.deal_detail", deal_id=deal.id))
    return render_template("trading/deal_new.html", form=form, kind=kind, subject=subject, broker=broker), \
        422 if form.errors else 200


@bp.route("/deals/<int:deal_id>")
def deal_detail(deal_id):
    user = _user()
    deal = services.get_deal(deal_id, actor=user)
    mine = services.sides(deal, actor=user)
    if not services.is_insider(deal, actor=user):
        return redirect(url_for("trading.notice", deal_id=deal_id))
    sign_form = SignForm()
    sign_form.total_amount.data = deal.amount  # the contract is signed at the agreed price
    return render_template("trading/deal_detail.html", deal=deal, actions=services.deal_actions(deal, actor=user),
                           sides=mine, waiting=services.waiting_for(deal), history=services.deal_history(deal),
                           offer_form=OfferForm(), sign_form=sign_form, cancel_form=CancelForm(),
                           reason_form=ReasonForm(), resolve_form=ResolveForm(),
                           payments=deal_payments.payments_of(deal),
                           escrow=supervision.transfer_instructions(deal.instalments[0]) if deal.instalments else {})


@bp.route("/deals/<int:deal_id>/instalments/<int:seq>/confirm", methods=["POST"])
@login_required
def confirm_instalment(deal_id, seq):
    """The buyer confirms an instalment's milestone: its supervised money is released."""
    deal = services.get_deal(deal_id, actor=current_user)
    with unit_of_work() as work:
        supervision.confirm_instalment(deal, seq, actor=current_user)
    if work.committed:
        flash(_("已确认第 %(n)s 期成果交付，款项已从监管账户放款", n=seq), "success")
    return redirect(url_for("trading.deal_detail", deal_id=deal_id))


@bp.route("/deals/<int:deal_id>/<action>", methods=["POST"])
@login_required
def deal_step(deal_id, action):
    deal = services.get_deal(deal_id, actor=current_user)
    forms = {"offer": OfferForm, "sign": SignForm, "cancel": CancelForm, "object": ReasonForm,
             "resolve-objection": ResolveForm}
    if action not in (*forms, "accept", "complete", "countersign", "confirm-mandate"):
        abort(404)
    form = forms[action]() if action in forms else None
    if form is not None and not form.validate():
        for name, messages in form.errors.items():
            flash(f"{getattr(form, name).label.text}：{'；'.join(str(m) for m in messages)}", "error")
        return redirect(url_for("trading.deal_detail", deal_id=deal_id) if action != "object"
                        else url_for("trading.notice", deal_id=deal_id))
    with unit_of_work(form) as work:
        if action == "offer":
            services.make_offer(deal, actor=current_user, amount=form.amount.data, message=form.message.data or "")
        elif action == "accept":
            services.accept_offer(deal, actor=current_user)
        elif action == "object":
            services.object_to_deal(deal, actor=current_user, reason=form.reason.data)
        elif action == "resolve-objection":
            services.resolve_objection(deal, actor=current_user, upheld=form.decision.data == "uphold",
                                       comment=form.comment.data or "")
        elif action == "sign":
            services.sign_deal(deal, actor=current_user, contract_type=form.contract_type.data,
                               total_amount=form.total_amount.data, tech_amount=form.tech_amount.data,
                               instalments=form.schedule)
        elif action == "countersign":
            services.countersign_deal(deal, actor=current_user)
        elif action == "confirm-mandate":
            services.confirm_mandate(deal, actor=current_user)
        elif action == "complete":
            services.complete_deal(deal, actor=current_user)
        elif action == "cancel":
            services.cancel_deal(deal, actor=current_user, reason_code=form.reason_code.data,
                                 comment=form.comment.data or "")
    if work.committed:
        if action in ("sign", "countersign") and deal.status != "signed":
            flash(_("您已签署合同条款，等待对方会签"), "success")
        else:
            flash(_("异议已提交，交易暂停公示") if action == "object" else _("操作成功"), "success")
    if action == "object":
        return redirect(url_for("trading.notice", deal_id=deal_id))
    return redirect(url_for("trading.deal_detail", deal_id=deal_id))


@bp.route("/deals/<int:deal_id>/instalments/<int:seq>/checkout", methods=["GET", "POST"])
@login_required
def checkout(deal_id, seq):
    """Pay an instalment (up to the card ceiling) by card through the gateway's script: the platform gets
    the card's id only. Larger ones are transferred to the supervised account (the deal page says how)."""
    deal = services.get_deal(deal_id, actor=current_user)
    instalment = deal_payments.get_instalment(deal, seq)
    form = CardTokenForm()
    status = 200
    if request.method == "POST":
        work, payment = post_card(form, lambda card: deal_payments.pay_instalment_with_payment_method(
            deal, seq, actor=current_user, payment_method=card))
        if work.committed:
            done = payment is None or payment.status == "succeeded"
            flash(_("付款成功，款项已进入资金监管账户") if done else _("付款处理中，结果确认后将自动入账"),
                  "success" if done else "info")
            return redirect(url_for("trading.deal_detail", deal_id=deal_id))
        status = work.error.status
        deal = services.get_deal(deal_id, actor=current_user)
        instalment = deal_payments.get_instalment(deal, seq)
    return render_card_page("trading/checkout.html", status, deal=deal, instalment=instalment, form=form,
                            card_refusal=card_refusal(instalment))


@bp.route("/notices")
def notices():
    return render_template("trading/notices.html", deals=services.notices())


@bp.route("/notices/<int:deal_id>")
def notice(deal_id):
    deal = services.get_deal(deal_id, actor=_user())
    if deal.notice_starts_at is None:
        raise NotFound(_("该交易没有公示"))
    return render_template("trading/notice.html", deal=deal, reason_form=ReasonForm(),
                           can_object="object" in services.deal_actions(deal, actor=_user()))


@bp.route("/deals")
@login_required
def my_deals():
    return render_template("trading/my_deals.html", deals=services.org_deals(actor=current_user))


@bp.route("/workspace")
@login_required
def workspace():
    deals = services.broker_deals(actor=current_user)
    rows = [(d, services.waiting_for(d)) for d in deals]
    return render_template("trading/workspace.html", rows=rows, broker=services.is_broker(current_user))


@bp.route("/objections")
@login_required
def objections():
    return render_template("trading/objections.html", deals=services.objection_queue(actor=current_user),
                           resolve_form=ResolveForm())


# -- finance: broker firms' commission rates ---------------------------------------------------------

@bp.route("/commissions")
@login_required
def commissions():
    from ...core.permissions import require_role
    from ..services import commissions as rates
    require_role(current_user, "finance")
    return render_template("trading/commissions.html", rows=rates.rated_firms(),
                           default_bp=rates.rate_on(None, rates.local_today()) or None)


@bp.route("/commissions/<int:firm_id>", methods=["GET", "POST"])
@login_required
def firm_commission(firm_id):
    from ..forms import CommissionForm
    from ..services import commissions as rates
    firm = rates.get_rated_firm(firm_id, actor=current_user)
    form = CommissionForm()
    if request.method == "GET":
        form.effective_on.data = rates.local_today()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            row = rates.set_firm_commission(firm, form.basis_points, effective_on=form.effective_on.data,
                                            note=form.note.data or "", actor=current_user)
        if work.committed:
            rate = f"{row.basis_points / 100:.2f}%"
            flash(_("已将 %(firm)s 的佣金费率设为 %(rate)s，自 %(day)s 起生效", firm=firm.name, rate=rate,
                    day=row.effective_on.isoformat()), "success")
            return redirect(url_for("trading.firm_commission", firm_id=firm.id))
    today = rates.local_today()
    return render_template("trading/commission_firm.html", firm=firm, form=form, current=rates.rate_on(firm, today),
                           next_rate=rates.scheduled_rate(firm, today), history=rates.rate_history(firm),
                           today=today, top_bp=rates.max_commission_bp()), 422 if form.errors else 200
