"""Trading pages: demands (this module) and deals (deals.py) on one blueprint."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...core.pagination import page_args
from ...core.reference import CITIES
from ...core.uow import unit_of_work
from .. import services
from ..forms import DemandForm, ReasonForm
from ..services import matching
from ..states import DEMAND

bp = Blueprint("trading", __name__, url_prefix="/trading")


def _user():
    return current_user if current_user.is_authenticated else None


@bp.route("/demands")
def demands():
    q = (request.args.get("q") or "")[:200]
    field = (request.args.get("field") or "")[:60]
    city = request.args.get("city") or ""
    if city and city not in CITIES:
        city = ""
    page, per_page = page_args(request.args)
    pagination = services.list_demands(q=q, field=field, city=city, page=page, per_page=per_page)
    return render_template("trading/demands.html", pagination=pagination, q=q, field=field, city=city,
                           cities=list(CITIES))


@bp.route("/demands/new", methods=["GET", "POST"])
@login_required
def new_demand():
    form = DemandForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            demand = services.create_demand(form.values(), actor=current_user)
            if form.notify_matches.data:
                services.set_demand_watch(demand, True, actor=current_user)
        if work.committed:
            flash(_("技术需求已保存为草稿，提交审核后发布"), "success")
            return redirect(url_for("trading.demand_detail", demand_id=demand.id))
    return render_template("trading/demand_form.html", form=form, demand=None), 422 if form.errors else 200


@bp.route("/demands/<int:demand_id>/edit", methods=["GET", "POST"])
@login_required
def edit_demand(demand_id):
    demand = services.get_demand(demand_id, actor=current_user)
    if not services.can_edit_demand(demand, actor=current_user):
        abort(403)
    form = DemandForm(obj=demand)
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            services.update_demand(demand, form.values(), actor=current_user)
            services.set_demand_watch(demand, form.notify_matches.data, actor=current_user)
        if work.committed:
            flash(_("已保存"), "success")
            return redirect(url_for("trading.demand_detail", demand_id=demand_id))
    return render_template("trading/demand_form.html", form=form, demand=demand), 422 if form.errors else 200


@bp.route("/demands/<int:demand_id>")
def demand_detail(demand_id):
    demand = services.get_demand(demand_id, actor=_user())
    return render_template("trading/demand_detail.html", d=demand, actions=services.demand_actions(demand, actor=_user()),
                           suggested=matching.suggested_for_demand(demand) if demand.is_public else [],
                           can_edit=services.can_edit_demand(demand, actor=_user()),
                           history=services.demand_history(demand) if _user() and (
                               _user().is_member_of(demand.org_id) or _user().has_role("reviewer")) else [],
                           reason_form=ReasonForm())


@bp.route("/demands/<int:demand_id>/<action>", methods=["POST"])
@login_required
def demand_lifecycle(demand_id, action):
    if action not in DEMAND.actions:
        abort(404)
    demand = services.get_demand(demand_id, actor=current_user)
    form = ReasonForm()
    with unit_of_work(form) as work:
        services.demand_action(demand, action, actor=current_user, reason=form.reason.data)
    if work.committed:
        flash(_("操作成功"), "success")
    return redirect(url_for("trading.demand_detail", demand_id=demand_id))


@bp.route("/demands/mine")
@login_required
def my_demands():
    page, per_page = page_args(request.args)
    return render_template("trading/my_demands.html",
                           pagination=services.org_demands(actor=current_user, page=page, per_page=per_page))


@bp.route("/demands/review")
@login_required
def demand_review():
    page, per_page = page_args(request.args)
    return render_template("trading/demand_review.html",
                           pagination=services.demand_queue(actor=current_user, page=page, per_page=per_page))


@bp.route("/achievements/<int:resource_id>/watch", methods=["POST"])
@login_required
def watch_achievement(resource_id):
    from ...catalog.services import get_resource
    resource = get_resource(resource_id, actor=current_user)
    on = request.form.get("on") == "1"
    with unit_of_work() as work:
        matching.set_achievement_watch(resource, on, actor=current_user)
    if work.committed:
        flash(_("已订阅新的匹配需求") if on else _("已取消订阅"), "success")
    return redirect(url_for("catalog.detail", resource_id=resource_id))


from . import deals  # noqa: E402, F401  (the deal pages on this blueprint)
