from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..core.pagination import page_args
from ..core.reference import CITIES
from ..core.uow import unit_of_work
from . import services
from .forms import FORMS, PhotoForm, ReasonForm
from .types import PLATFORMS, RESOURCE_TYPES

bp = Blueprint("catalog", __name__)

# Entry points of each platform's workflows: (label, endpoint, args, for signed-in users only).
# An entry is shown when its endpoint exists (the package is installed).
WORKFLOWS = {
    "sharing": [(_l("查找并预约大型仪器"), "catalog.resources", {"platform": "sharing", "type": "instrument"}, False),
                (_l("我的预约"), "booking.my_bookings", {}, True), (_l("预约审批"), "booking.queue", {}, True),
                (_l("双向补贴"), "subsidy_policy.policy", {}, False)],
    "trading": [(_l("浏览科技成果"), "catalog.resources", {"type": "achievement"}, False),
                (_l("科技服务机构"), "catalog.resources", {"type": "service", "platform": "trading"}, False)],
    "startup": [(_l("孵化器与众创空间"), "catalog.resources", {"type": "incubator"}, False),
                (_l("开放实验室与中试线"), "catalog.resources", {"type": "facility"}, False)],
    "finance": [(_l("科技金融产品"), "catalog.resources", {"type": "finance"}, False)],
    "talent": [(_l("专家人才库"), "catalog.resources", {"type": "talent"}, False),
               (_l("科研机构"), "catalog.resources", {"type": "institution"}, False)],
    "data": [(_l("科学数据"), "catalog.resources", {"type": "dataset"}, False),
             (_l("资源普查与统计"), "census.dashboard", {}, False)],
}


def _workflows(platform):
    from ..core.nav import REGISTRY
    views = current_app.view_functions
    signed_in = current_user.is_authenticated
    entries = WORKFLOWS.get(platform, []) + REGISTRY.workflows.get(platform, [])
    return [(label, url_for(ep, **args)) for label, ep, args, private in entries
            if ep in views and (signed_in or not private)]


def _panels(platform):
    """Sections other domains add to a platform's page: (template, its data)."""
    from ..core.nav import REGISTRY
    return [(template, context()) for template, context in REGISTRY.panels.get(platform, [])]


@bp.route("/")
def home():
    newest = services.newest(limit=8)
    services.thumbnail_ids([r.id for r in newest])
    services.load_card_prices(newest)
    return render_template("catalog/home.html", type_counts=services.counts_by_type(),
                           city_counts=services.counts_by_city(), newest=newest,
                           types=RESOURCE_TYPES, platforms=PLATFORMS)


@bp.route("/platforms/<key>")
def platform(key):
    if key not in PLATFORMS:
        abort(404)
    counts = services.counts_by_type(platform=key)
    types = {k: t for k, t in RESOURCE_TYPES.items() if key in t.platforms or counts[k]}
    newest = services.newest(platform=key, limit=10)
    services.thumbnail_ids([r.id for r in newest])
    services.load_card_prices(newest)
    return render_template("catalog/platform.html", key=key, platform=PLATFORMS[key], types=types,
                           counts=counts, newest=newest,
                           workflows=_workflows(key), panels=_panels(key))


@bp.route("/resources")
def resources():
    filters = services.filter_args(request.args)
    page, per_page = page_args(request.args)
    pagination = services.list_public(page=page, per_page=per_page, **filters)
    services.thumbnail_ids([r.id for r in pagination.items])  # one query for the page's thumbnails
    services.load_card_prices(pagination.items)
    return render_template("catalog/list.html", pagination=pagination, filters=filters,
                           types=RESOURCE_TYPES, platforms=PLATFORMS, cities=CITIES)


@bp.route("/resources/<int:resource_id>")
def detail(resource_id):
    resource = services.get_resource(resource_id, actor=current_user)
    from ..core.audit import history
    can_edit = services.can_edit(resource, actor=current_user)
    reviewer = current_user.is_authenticated and current_user.has_role("reviewer")
    revision = services.pending_revision(resource) if (can_edit or reviewer) else None
    returned = services.latest_revision(resource) if can_edit and revision is None else None
    return render_template("catalog/detail.html", r=resource, spec=resource.spec,
                           actions=services.allowed_actions(resource, actor=current_user),
                           can_edit=can_edit, reason_form=ReasonForm(), photos=services.photos(resource),
                           revision=revision, revision_diff=services.diff(revision) if revision else [],
                           revision_actions=services.allowed_revision_actions(revision, actor=current_user)
                           if revision else [],
                           returned=returned if returned is not None and returned.status == "rejected" else None,
                           history=history("resource", resource.id) if (can_edit or reviewer) else [])


@bp.route("/resources/new")
@login_required
def choose_type():
    return render_template("catalog/choose_type.html", types=RESOURCE_TYPES)


@bp.route("/resources/new/<type_key>", methods=["GET", "POST"])
@login_required
def create(type_key):
    if type_key not in FORMS:
        abort(404)
    if current_user.organisation_id is None:
        abort(403)  # listings belong to an organisation; the service refuses the POST the same way
    form = FORMS[type_key]()
    if request.method == "GET":
        form.platforms.data = list(RESOURCE_TYPES[type_key].platforms)
        if current_user.organisation:
            form.city.data = current_user.organisation.city
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            resource = services.create_resource(type_key, form.data_for_service(), actor=current_user)
        if work.committed:
            flash(_("已保存为草稿，提交审核后发布"), "success")
            return redirect(url_for("catalog.detail", resource_id=resource.id))
    return render_template("catalog/form.html", form=form, spec=RESOURCE_TYPES[type_key], resource=None)


@bp.route("/resources/<int:resource_id>/edit", methods=["GET", "POST"])
@login_required
def edit(resource_id):
    resource = services.get_resource(resource_id, actor=current_user)
    if not services.can_edit(resource, actor=current_user):
        abort(403)
    form = FORMS[resource.type]()
    if request.method == "GET":
        form.fill_from(resource, services.edited_values(resource))
    if form.validate_on_submit():
        before = services.pending_revision(resource)
        before = (before.id, dict(before.changes)) if before else None
        with unit_of_work(form) as work:
            services.update_resource(resource, form.data_for_service(), actor=current_user)
            after = services.pending_revision(resource)
        if work.committed:
            if after is not None and (after.id, after.changes) != before:
                flash(_("修改已提交审核：审核通过前，公开页面仍显示原来的内容"), "success")
            elif before is not None and after is None:
                flash(_("已保存；待审核的修改已撤回（内容与已发布的一致）"), "success")
            else:
                flash(_("已保存"), "success")
            return redirect(url_for("catalog.detail", resource_id=resource.id))
    return render_template("catalog/form.html", form=form, spec=resource.spec, resource=resource,
                           photos=services.photos(resource), photo_form=PhotoForm(),
                           max_photos=services.max_photos(),
                           revision=services.pending_revision(resource))


# -- photos (not material: they apply at once) ---------------------------------------------------------

def _editable(resource_id):
    resource = services.get_resource(resource_id, actor=current_user)
    if not services.can_edit(resource, actor=current_user):
        abort(403)
    return resource


@bp.route("/resources/<int:resource_id>/photos", methods=["POST"])
@login_required
def add_photos(resource_id):
    resource = _editable(resource_id)
    form = PhotoForm()
    if not form.validate_on_submit():
        abort(400)
    with unit_of_work() as work:
        added = services.add_photos(resource, request.files.getlist("photos"), actor=current_user)
    if work.committed:
        flash(_("已添加 %(n)s 张照片", n=len(added)), "success")
    return redirect(url_for("catalog.edit", resource_id=resource_id) + "#photos"), 303


@bp.route("/resources/<int:resource_id>/photos/<int:upload_id>/<op>", methods=["POST"])
@login_required
def photo(resource_id, upload_id, op):
    if op not in ("remove", "up", "down"):
        abort(404)
    resource = _editable(resource_id)
    if not PhotoForm().validate_on_submit():
        abort(400)
    with unit_of_work() as work:
        if op == "remove":
            services.remove_photo(resource, upload_id, actor=current_user)
        else:
            services.move_photo(resource, upload_id, op, actor=current_user)
    if work.committed:
        flash(_("照片已移除") if op == "remove" else _("照片顺序已调整"), "success")
    return redirect(url_for("catalog.edit", resource_id=resource_id) + "#photos"), 303


@bp.route("/resources/<int:resource_id>/<action>", methods=["POST"])
@login_required
def lifecycle(resource_id, action):
    if action not in services.TRANSITIONS:
        abort(404)
    form = ReasonForm()
    if not form.validate_on_submit():
        abort(400)
    resource = services.get_resource(resource_id, actor=current_user)
    from_queue = action in ("publish", "reject") and request.form.get("next") == "review"
    submitted_at, title = resource.updated_at, resource.title
    with unit_of_work() as work:  # not allowed at all: an error page; conflicts and bad input a message
        services.transition(resource, action, actor=current_user, reason=form.reason.data)
    if not work.committed:
        if from_queue:
            return redirect(_queue_url()), 303
        return redirect(url_for("catalog.detail", resource_id=resource_id)), 303
    if action == "publish":
        flash(_("已发布「%(title)s」", title=title), "success")
    elif action == "reject":
        flash(_("已退回「%(title)s」：%(reason)s", title=title, reason=form.reason.data.strip()), "success")
    else:
        flash(_("操作成功"), "success")
    if from_queue:
        return redirect(_queue_url(after=submitted_at))
    return redirect(url_for("catalog.detail", resource_id=resource_id))


@bp.route("/revisions/<int:revision_id>/<action>", methods=["POST"])
@login_required
def revision(revision_id, action):
    if action not in ("approve", "reject", "withdraw"):
        abort(404)
    form = ReasonForm()
    if not form.validate_on_submit():
        abort(400)
    rev = services.get_revision(revision_id, actor=current_user)
    resource_id, title, submitted_at = rev.resource_id, rev.resource.title, rev.created_at
    from_queue = action != "withdraw" and request.form.get("next") == "review"
    with unit_of_work() as work:
        services.decide(rev, action, actor=current_user, reason=form.reason.data)
    if work.committed:
        flash({"approve": _("已通过「%(title)s」的修改，新内容已公开", title=title),
               "reject": _("已退回「%(title)s」的修改：%(reason)s", title=title,
                           reason=(form.reason.data or "").strip()),
               "withdraw": _("已撤回「%(title)s」的待审核修改", title=title)}[action], "success")
    if from_queue:
        return redirect(_queue_url(after=submitted_at if work.committed else None)), 303
    return redirect(url_for("catalog.detail", resource_id=resource_id)), 303


def _queue_url(after=None) -> str:
    """The review queue (keeping its type filter) opened at the next item to decide."""
    kind = request.form.get("queue_type") or None
    kind = kind if kind in RESOURCE_TYPES else None
    nxt = services.next_in_queue(after, kind, actor=current_user)
    if nxt is None:
        return url_for("catalog.review", type=kind)
    return url_for("catalog.review", type=kind, focus=nxt.key, _anchor=nxt.key)


@bp.route("/review")
@login_required
def review():
    page, per_page = page_args(request.args)
    kind = request.args.get("type") or None
    queue = services.review_queue(actor=current_user, page=page, per_page=per_page, type=kind)
    from ..core.timeutil import utcnow
    return render_template("catalog/review.html", pagination=queue, reason_form=ReasonForm(), kind=kind,
                           focus=request.args.get("focus") or (queue.items[0].key if queue.items else None),
                           now=utcnow(), diff=services.diff)


@bp.route("/my/resources")
@login_required
def mine():
    page, per_page = page_args(request.args)
    status = request.args.get("status") or None
    from .types import STATUSES
    if status and status not in STATUSES:
        abort(400)
    pagination = services.org_resources(page, per_page, status=status, actor=current_user)
    return render_template("catalog/mine.html", pagination=pagination, status=status, statuses=STATUSES,
                           revisions=services.latest_revision_states([r.id for r in pagination.items]))
