"""Training and qualification pages: asking for training on a self-operated instrument, the lab's
training requests (schedule, trained/qualified, decline), the user's own requests."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...core.errors import Invalid
from ...core.pagination import page_args
from ...core.timeutil import local_to_utc_naive
from ...core.uow import unit_of_work
from .. import services
from ..forms import CompleteTrainingForm, ReasonForm, ScheduleTrainingForm, TrainingRequestForm
from ..states import TRAINING, TRAINING_STATUSES
from . import bp


@bp.route("/instruments/<int:instrument_id>/training", methods=["GET", "POST"])
@login_required
def request_training(instrument_id):
    inst = services.get_instrument(instrument_id)
    form = TrainingRequestForm()
    status = 200
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            services.request_training(inst, form.note.data, actor=current_user)
        if work.committed:
            flash(_("培训申请已提交，管理单位安排后会通知您"), "success")
            return redirect(url_for("booking.training_list"))
        status = work.error.status
    elif request.method == "POST":
        status = 422
    return render_template("booking/training_request.html", inst=inst, form=form,
                           pending=services.open_request(inst.id, current_user.id),
                           qualification=services.qualification_of(inst.id, current_user.id)), status


@bp.route("/training")
@login_required
def training_list():
    status = request.args.get("status") or None
    if status is not None and status not in TRAINING_STATUSES:
        raise Invalid.field("status", _("未知的状态"))
    page, per_page = page_args(request.args)
    lab, own = services.training_page(actor=current_user, page=page, per_page=per_page, status=status)
    return render_template("booking/training.html", lab=lab, own=own, status=status, STATUSES=TRAINING_STATUSES,
                           machine=TRAINING, schedule_form=ScheduleTrainingForm(),
                           complete_form=CompleteTrainingForm(), reason_form=ReasonForm())


def _schedule(tr):
    form = ScheduleTrainingForm()
    if not form.validate_on_submit():
        raise Invalid(_("请填写培训时间"), {k: list(v) for k, v in form.errors.items()})
    services.schedule_training(tr, local_to_utc_naive(form.scheduled_at.data), note=form.note.data,
                               actor=current_user)
    return _("培训已安排，已通知申请人")


def _complete(tr, qualify=True):
    form = CompleteTrainingForm()
    if not form.validate_on_submit():
        raise Invalid(_("有效期有误"), {k: list(v) for k, v in form.errors.items()})
    services.complete_training(tr, valid_until=form.valid_until.data, qualify=qualify, actor=current_user)
    return _("已授予上机资格") if qualify else _("已记录培训完成")


def _decline(tr):
    form = ReasonForm()
    if not form.validate_on_submit():
        raise Invalid.field("reason", _("请填写理由"))
    services.decline_training(tr, form.reason.data, actor=current_user)
    return _("已拒绝培训申请")


def _withdraw(tr):
    services.withdraw_training(tr, actor=current_user)
    return _("培训申请已撤回")


TRAINING_ACTIONS = {"schedule": _schedule, "train": lambda tr: _complete(tr, qualify=False),
                    "qualify": _complete, "decline": _decline, "withdraw": _withdraw}


@bp.route("/training/<int:request_id>/<action>", methods=["POST"])
@login_required
def training_act(request_id, action):
    if action not in TRAINING_ACTIONS:
        abort(404)
    tr = services.get_training(request_id, actor=current_user)
    with unit_of_work() as work:
        message = TRAINING_ACTIONS[action](tr)
    if work.committed:
        flash(message, "success")
    return redirect(url_for("booking.training_list"))
