"""The provider's booking settings page: rules, opening hours, assisted rate, blackouts, qualified users."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...core.errors import Invalid
from ...core.timeutil import local_to_utc_naive, to_local, utcnow
from ...core.uow import unit_of_work
from .. import services
from ..forms import BlackoutForm, DowntimeForm, QualifyForm, SettingsForm
from . import _form_errors, bp


def _local(value):
    return local_to_utc_naive(value) if value else None


@bp.route("/instruments/<int:instrument_id>/settings", methods=["GET", "POST"])
@login_required
def settings(instrument_id):
    inst = services.get_instrument(instrument_id, public=False)
    page = services.settings_page(inst, actor=current_user)
    form = SettingsForm()
    status = 200
    if request.method == "GET":
        r, s = page["rules"], page["stored"]
        form.fill_weekly(r.weekly)
        form.lead_time_hours.data = s.lead_time_hours if s else None
        form.horizon_days.data = s.horizon_days if s else None
        form.min_minutes.data = s.min_minutes if s else None
        form.max_minutes.data = s.max_minutes if s else None
        form.requires_approval.data = r.requires_approval
        form.assisted_percent.data = s.assisted_percent if s else None
    elif form.validate_on_submit():
        with unit_of_work(form) as work:
            services.update_settings(inst, actor=current_user, weekly_ranges=form.weekly(),
                                     lead_time_hours=form.lead_time_hours.data,
                                     horizon_days=form.horizon_days.data, min_minutes=form.min_minutes.data,
                                     max_minutes=form.max_minutes.data,
                                     requires_approval=form.requires_approval.data,
                                     assisted_percent=form.assisted_percent.data)
        if work.committed:
            flash(_("预约设置已保存"), "success")
            return redirect(url_for("booking.settings", instrument_id=inst.id))
        status = work.error.status
    else:
        status = 422
    return render_template("booking/settings.html", inst=inst, form=form, rules=page["rules"],
                           blackouts=page["blackouts"], quals=page["quals"], blackout_form=BlackoutForm(prefix="b"),
                           qualify_form=_qualify_form(page["trainees"]), defaults=current_app.config,
                           today=to_local(utcnow()).date(), downtime=services.instrument_downtime(inst.id),
                           downtime_form=DowntimeForm(prefix="d", formdata=None),
                           has_instrument_token=services.has_instrument_token(inst.id)), status


def _qualify_form(trainees=()):
    form = QualifyForm(prefix="q")
    form.user_id.choices = [("", _("（选择申请过培训或预约过的用户）"))] + [
        (u.id, f"{u.name} <{u.email}>") for u in trainees]
    return form


def _add_blackout(inst):
    form = BlackoutForm(prefix="b")
    if not form.validate_on_submit():
        raise _form_errors(form, _("请完整填写停机时段"))
    services.add_blackout(inst, _local(form.start.data), _local(form.end.data), form.reason.data,
                          actor=current_user)


def _qualify(inst):
    form = _qualify_form()
    if not form.validate_on_submit():
        raise _form_errors(form, _("请选择用户或输入有效的邮箱"))
    if form.user_id.data is None and not form.email.data:
        raise Invalid.field("email", _("请选择用户或输入有效的邮箱"))
    services.qualify_user(inst, form.email.data, user_id=form.user_id.data, valid_until=form.valid_until.data,
                          actor=current_user)


def _downtime(inst):
    from .downtime import record_from_form
    record_from_form(inst, DowntimeForm(prefix="d"))


def _downtime_step(step):
    def run(inst):
        dt = services.get_downtime(request.form.get("id", type=int))
        if dt.instrument_id != inst.id:
            abort(404)
        step(dt, actor=current_user)
    return run


def _instrument_token(inst):
    secret = services.regenerate_instrument_token(inst, actor=current_user)
    # shown once, after the commit (the flash survives the redirect; only the hash is stored)
    flash(_("新的仪器数据采集令牌（仅显示一次，旧令牌已失效）：") + " " + secret, "success")


SETTINGS_ITEMS = {
    "instrument-token": _instrument_token,
    "downtime": _downtime,
    "downtime-confirm": _downtime_step(services.confirm_downtime),
    "downtime-fix": _downtime_step(services.fix_downtime),
    "blackout": _add_blackout,
    "blackout-delete": lambda inst: services.remove_blackout(request.form.get("id", type=int), actor=current_user),
    "qualify": _qualify,
    "unqualify": lambda inst: services.revoke_qualification(inst, request.form.get("user_id", type=int),
                                                            actor=current_user),
}


@bp.route("/instruments/<int:instrument_id>/settings/<what>", methods=["POST"])
@login_required
def settings_item(instrument_id, what):
    inst = services.get_instrument(instrument_id, public=False)
    if what not in SETTINGS_ITEMS:
        abort(404)
    with unit_of_work() as work:
        SETTINGS_ITEMS[what](inst)
    if work.committed:
        flash(_("已保存"), "success")
    return redirect(url_for("booking.settings", instrument_id=inst.id))
