"""Downtime pages: the lab records maintenance and incidents (on the settings page), confirms an incident a
user reported and marks it fixed; a user reports an incident; a booking the downtime hit is moved."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...core.timeutil import local_to_utc_naive
from ...core.uow import unit_of_work
from .. import services
from ..forms import DowntimeForm, MoveForm
from . import _detail, _form_errors, bp


def _local(value):
    return local_to_utc_naive(value) if value else None


def record_from_form(inst, form: DowntimeForm):
    """Called by the settings page's downtime item (the lab) and the report page (a user)."""
    if not form.validate_on_submit():
        raise _form_errors(form, _("停机信息有误"))
    return services.record_downtime(inst, kind=form.kind.data, severity=form.severity.data or None,
                                    starts_at=_local(form.starts_at.data), ends_at=_local(form.ends_at.data),
                                    note=form.note.data, actor=current_user)


@bp.route("/instruments/<int:instrument_id>/report-incident", methods=["GET", "POST"])
@login_required
def report_incident(instrument_id):
    inst = services.get_instrument(instrument_id)
    form = DowntimeForm(prefix="d")
    form.kind.data = "incident"  # a user reports incidents; maintenance is the lab's to plan
    status = 200
    if request.method == "POST":
        with unit_of_work(form) as work:
            record_from_form(inst, form)
        if work.committed:
            flash(_("故障已报告，管理单位确认后会处理"), "success")
            return redirect(url_for("catalog.detail", resource_id=inst.id))
        status = work.error.status
    return render_template("booking/report_incident.html", inst=inst, form=form), status


@bp.route("/<int:booking_id>/move", methods=["POST"])
@login_required
def move(booking_id):
    booking = services.get_booking(booking_id, actor=current_user)
    form = MoveForm(prefix="m")
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            services.move_booking(booking, _local(form.start.data), actor=current_user)
        if work.committed:
            flash(_("已改期"), "success")
            return redirect(url_for("booking.detail", booking_id=booking.id))
        status = work.error.status
    else:
        status = 422
    return _detail(booking, move_form=form, status=status)
