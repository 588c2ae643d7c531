"""Event pages: the list, an event, registering, the confirmation with its QR code and ICS, check-in."""
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..core.timeutil import local_to_utc_naive
from ..core.uow import unit_of_work
from . import exports, services
from .forms import CheckInForm, EventForm
from .states import EVENT_KINDS

bp = Blueprint("events", __name__, url_prefix="/events")


def _user():
    return current_user if current_user.is_authenticated else None


@bp.route("/")
def index():
    past = request.args.get("past") == "1"
    events = services.upcoming(limit=100, include_past=past)
    return render_template("events/index.html", events=events, past=past, kinds=EVENT_KINDS,
                           is_staff=services.is_staff(actor=_user()))


@bp.route("/<int:event_id>")
def detail(event_id):
    event = services.get_event(event_id)
    return render_template("events/detail.html", event=event, counts=services.counts(event),
                           reg=services.registration_of(event, _user()), is_staff=services.is_staff(actor=_user()),
                           kinds=EVENT_KINDS, checkin_form=CheckInForm())


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    services.require_staff(actor=current_user)
    form = EventForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            event = services.create_event(
                actor=current_user, title=form.title.data, kind=form.kind.data, city=form.city.data,
                venue=form.venue.data, capacity=form.capacity.data, description=form.description.data,
                platform=form.platform.data or None,
                starts_at=local_to_utc_naive(form.starts_at.data), ends_at=local_to_utc_naive(form.ends_at.data),
                registration_deadline=local_to_utc_naive(form.registration_deadline.data))
        if work.committed:
            flash(_("活动已发布"), "success")
            return redirect(url_for("events.detail", event_id=event.id))
    return render_template("events/form.html", form=form)


@bp.route("/<int:event_id>/register", methods=["POST"])
@login_required
def register(event_id):
    event = services.get_event(event_id)
    with unit_of_work() as work:
        reg = services.register(event, actor=current_user)
    if work.committed:
        flash(_("报名成功") if reg.status == "registered" else _("名额已满，您已进入候补名单"), "success")
        return redirect(url_for("events.registration", event_id=event_id))
    return redirect(url_for("events.detail", event_id=event_id))


@bp.route("/<int:event_id>/unregister", methods=["POST"])
@login_required
def unregister(event_id):
    event = services.get_event(event_id)
    with unit_of_work() as work:
        services.unregister(event, actor=current_user)
    if work.committed:
        flash(_("已取消报名"), "success")
    return redirect(url_for("events.detail", event_id=event_id))


@bp.route("/<int:event_id>/registration")
@login_required
def registration(event_id):
    """The confirmation page: status, the check-in code and its QR code, the ICS link."""
    event = services.get_event(event_id)
    reg = services.registration_of(event, current_user)
    if reg is None:
        abort(404)
    checkin_url = url_for("events.check_in", event_id=event.id, code=reg.code, _external=True)
    return render_template("events/registration.html", event=event, reg=reg, kinds=EVENT_KINDS,
                           qr=exports.qr_svg(checkin_url) if reg.status == "registered" else None)


@bp.route("/<int:event_id>/registration.ics")
@login_required
def registration_ics(event_id):
    event = services.get_event(event_id)
    reg = services.registration_of(event, current_user)
    if reg is None or reg.status == "cancelled":
        abort(404)
    return Response(exports.registration_ics(reg), mimetype="text/calendar",
                    headers={"Content-Disposition": f"attachment; filename=event-{event.id}.ics"})


@bp.route("/<int:event_id>/check-in", methods=["GET", "POST"])
@login_required
def check_in(event_id):
    """Staff: the QR code opens this page with the code filled in; typing it works the same."""
    services.require_staff(actor=current_user)
    event = services.get_event(event_id)
    form = CheckInForm()
    if request.method == "GET" and request.args.get("code"):
        form.code.data = request.args["code"][:16]
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            reg = services.check_in(event, form.code.data, actor=current_user)
        if work.committed:
            flash(_("签到成功：%(name)s", name=reg.user.name), "success")
            return redirect(url_for("events.check_in", event_id=event_id))
    return render_template("events/check_in.html", event=event, form=form, counts=services.counts(event))


@bp.route("/<int:event_id>/attendance.<fmt>")
@login_required
def attendance(event_id, fmt):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    event = services.get_event(event_id)
    rows = exports.attendance_rows(services.attendance(event, actor=current_user))
    if fmt == "csv":
        return Response(exports.to_csv(rows), mimetype="text/csv",
                        headers={"Content-Disposition": f"attachment; filename=attendance-{event.id}.csv"})
    return Response(exports.to_xlsx(rows, _("签到表")),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename=attendance-{event.id}.xlsx"})


@bp.route("/mine")
@login_required
def mine():
    return render_template("events/mine.html", regs=services.my_registrations(actor=current_user), kinds=EVENT_KINDS)
