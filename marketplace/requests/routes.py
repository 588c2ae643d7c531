"""Request pages: start one from a listing, follow its timeline, the handler's queue, the staff export,
and a company's declared founders and investors (needed by the 科技副总 rule)."""
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..core.uow import unit_of_work
from ..extensions import db
from . import services
from .forms import NoteForm, ReasonForm, StakeForm, StepNoteForm
from .kinds import KINDS
from .services import exports, secondment
from .states import ACTION_LABELS, SECONDMENT_PARTIES, STATUSES

NOTED_STEPS = ("accept", "grant", "complete")  # the handler may add a note (optional)

bp = Blueprint("requests", __name__, url_prefix="/requests")


def _int_arg(name):
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and len(value) < 10 else None


@bp.route("/start")
@login_required
def choose():
    """From an event: remember it, then pick a listing; requests started now keep the event."""
    event_id = _int_arg("event")
    event = None
    if event_id:
        from ..events.services import get_event
        event = get_event(event_id)
        session["request_event"] = event.id
    return render_template("requests/choose.html", kinds=KINDS, event=event)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    kind = KINDS.get(request.args.get("kind", ""))
    resource_id = _int_arg("resource")
    if kind is None or resource_id is None:
        abort(404)
    resource = services.get_resource(resource_id)
    if resource.type != kind.resource_type or not kind.applies(resource):
        abort(404)
    form = kind.form().for_resource(resource)
    work = None
    if request.method == "GET":
        form.event_id.data = _int_arg("event") or session.get("request_event") or ""
        form.call_id.data = _int_arg("call") or ""
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            req = services.create_request(
                kind.key, resource.id, form.details(), actor=current_user, submit=True,
                event_id=int(form.event_id.data) if str(form.event_id.data).isdigit() else None,
                call_id=int(form.call_id.data) if str(form.call_id.data).isdigit() else None)
        if work.committed:
            session.pop("request_event", None)
            flash(_("申请已提交，可在本页查看办理进度"), "success")
            return redirect(url_for("requests.detail", request_id=req.id))
    # Rule errors about things that are not form fields (the organisation, a related company) show above
    # the button; flash_error placed the others next to their fields.
    other = {k: v for k, v in work.error.errors.items() if not hasattr(form, k)} if work and work.error else {}
    return render_template("requests/form.html", form=form, kind=kind, resource=resource, other_errors=other)


@bp.route("/<int:request_id>")
@login_required
def detail(request_id):
    req = services.get_request(request_id, actor=current_user)
    return render_template("requests/detail.html", req=req, kind=KINDS[req.kind], statuses=STATUSES,
                           actions=services.allowed_actions(req, actor=current_user), labels=ACTION_LABELS,
                           parties=SECONDMENT_PARTIES, confirmed=secondment.confirmed_parties(req),
                           reason_form=ReasonForm(), note_form=NoteForm(),
                           is_handler=services.is_handler(req, actor=current_user), shown=_shown(req))


HIDDEN_DETAILS = ("amount", "term_months", "total_pay", "id_hash", "revenue")


def _shown(req):
    """The kind's own fields as (label, value) in the interface language, choices by their names."""
    form = KINDS[req.kind].form(meta={"csrf": False})
    extra = {"id_masked": _("身份证号码"), "birth_date": _("出生日期")}
    out = []
    for name, value in (req.details or {}).items():
        if name in HIDDEN_DETAILS or value in (None, ""):
            continue
        field = form._fields.get(name)
        if field is not None and getattr(field, "choices", None):
            value = dict(field.choices).get(value, value)
        elif isinstance(value, bool):
            value = _("是") if value else _("否")
        out.append((field.label.text if field is not None else extra.get(name, name), value))
    return out


@bp.route("/<int:request_id>/<action>", methods=["POST"])
@login_required
def act(request_id, action):
    if action not in services.STEPS:
        abort(404)
    req = services.get_request(request_id, actor=current_user)
    form = ReasonForm() if action == "decline" else NoteForm() if action == "progress" else \
        StepNoteForm() if action in NOTED_STEPS else None
    if form is not None and not form.validate_on_submit():
        flash(_("请填写理由或跟进记录"), "error")
        return redirect(url_for("requests.detail", request_id=request_id))
    kwargs = {}
    if action == "decline":
        kwargs["reason"] = form.reason.data
    elif action == "progress" or action in NOTED_STEPS:
        kwargs["note"] = form.note.data or ""
    with unit_of_work() as work:
        services.STEPS[action](req, actor=current_user, **kwargs)
    if work.committed:
        flash(_("操作成功"), "success")
    return redirect(url_for("requests.detail", request_id=request_id))


@bp.route("/mine")
@login_required
def mine():
    return render_template("requests/mine.html", reqs=services.mine(actor=current_user), kinds=KINDS, statuses=STATUSES)


@bp.route("/queue")
@login_required
def queue():
    status = request.args.get("status") or "open"
    if status != "open" and status not in STATUSES:
        abort(400)
    return render_template("requests/queue.html", reqs=services.queue(actor=current_user, status=status), kinds=KINDS,
                           statuses=STATUSES, status=status, is_staff=services.is_staff(actor=current_user))


@bp.route("/export.<fmt>")
@login_required
def export(fmt):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    kind = request.args.get("kind") or None
    if kind is not None and kind not in KINDS:
        abort(400)
    rows = exports.rows(services.for_export(actor=current_user, kind=kind))
    if fmt == "csv":
        return Response(exports.to_csv(rows), mimetype="text/csv",
                        headers={"Content-Disposition": "attachment; filename=requests.csv"})
    return Response(exports.to_xlsx(rows, _("服务申请")),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": "attachment; filename=requests.xlsx"})


@bp.route("/datasets/<int:resource_id>/file", methods=["GET", "POST"])
@login_required
def dataset_file(resource_id):
    """The dataset's organisation attaches its file (stored through uploads)."""
    from ..catalog.models import Dataset
    from ..core.permissions import require_member
    from .forms import DatasetFileForm
    from .services import datasets
    dataset = db.session.get(Dataset, resource_id)
    if dataset is None:
        abort(404)
    require_member(current_user, dataset.owner_org_id)
    form = DatasetFileForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            from ..uploads.services import store_form_uploads
            datasets.attach_file(dataset, store_form_uploads(form.file, actor=current_user), actor=current_user)
        if work.committed:
            flash(_("数据文件已上传"), "success")
            return redirect(url_for("catalog.detail", resource_id=dataset.id))
    return render_template("requests/dataset_file.html", form=form, dataset=dataset,
                           current=datasets.file_of(dataset))


@bp.route("/stakes", methods=["GET", "POST"])
@login_required
def stakes():
    """The company's declared founders and investors."""
    org = current_user.organisation
    if org is None:
        abort(403)
    form = StakeForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            secondment.declare_stake(org, actor=current_user, relation=form.relation.data,
                                     holder_name=form.holder_name.data, holder_org_id=form.holder_org_id.data,
                                     holder_id_number=(form.holder_id_number.data or "").strip().upper() or None)
        if work.committed:
            flash(_("已保存"), "success")
            return redirect(url_for("requests.stakes"))
    return render_template("requests/stakes.html", form=form, stakes=secondment.stakes_of(org.id))
