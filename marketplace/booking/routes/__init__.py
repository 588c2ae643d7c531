"""Booking pages: calendar, booking form with a confirm step, my bookings, approver queue,
booking detail and actions, provider settings, ICS feeds. Routes parse input and call services;
every form post is one unit of work, and no GET writes."""
from datetime import date, datetime, timedelta

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...core.audit import history
from ...core.errors import Forbidden, Invalid
from ...core.pagination import page_args
from ...core.timeutil import local_to_utc_naive, to_local
from ...core.uow import unit_of_work
from ...core.web import safe_next
from ...extensions import db
from .. import ics, services
from ..forms import (
    BookingForm,
    CancelForm,
    CompleteForm,
    CorrectForm,
    MoveForm,
    RatingForm,
    ReasonForm,
    SampleBookingForm,
)
from ..states import STATUSES

bp = Blueprint("booking", __name__, url_prefix="/booking")


def _status_arg(default=None):
    status = request.args.get("status") or default
    if status is not None and status not in STATUSES:
        raise Invalid.field("status", _("未知的状态"))
    return status


def _local(value):
    return local_to_utc_naive(value) if value else None


def _form_errors(form, message):
    """A WTForms form that did not validate, as the domain error the unit of work shows."""
    return Invalid(message, {k: list(v) for k, v in form.errors.items()})


# -- finding and booking ---------------------------------------------------------------------------

@bp.route("/instruments/<int:instrument_id>/calendar")
def calendar(instrument_id):
    inst = services.get_instrument(instrument_id)
    cal = services.week_calendar(inst, request.args.get("week"))
    avg, count = services.rating_summary(instrument_id=inst.id)
    return render_template("booking/calendar.html", inst=inst, cal=cal, rating_avg=avg, rating_count=count)


@bp.route("/instruments/<int:instrument_id>/book", methods=["GET", "POST"])
@login_required
def book(instrument_id):
    inst = services.get_instrument_for_booking(instrument_id)
    assisted = request.values.get("assisted") == "1" and inst.price_unit == "hour"
    if not assisted and not services.may_self_operate(inst, current_user):
        # said before any form: train first, or let the lab's staff operate it (an assisted session)
        return render_template("booking/need_training.html", inst=inst, start=request.args.get("start"),
                               pending=services.open_request(inst.id, current_user.id),
                               qualification=services.qualification_of(inst.id, current_user.id),
                               assisted_percent=(services.effective_rules(inst).assisted_percent
                                                 or current_app.config["BOOKING_ASSISTED_PERCENT"]))
    if inst.price_unit == "sample":
        return _book_samples(inst)
    form = BookingForm()
    form.assisted.data = "1" if assisted else "0"
    if request.method == "GET":
        raw = request.args.get("start")
        try:
            start = datetime.strptime(raw, "%Y-%m-%dT%H:%M") if raw else None
        except ValueError:
            start = None
        if start:
            form.start.data = start
            form.end.data = start + timedelta(minutes=max(services.effective_rules(inst).min_minutes, 60))
    fee = None
    if form.validate_on_submit():
        start, end, samples = _local(form.start.data), _local(form.end.data), form.samples.data
        confirmed = form.confirm.data == "1"
        form.confirm.data = "0"
        with unit_of_work(form) as work:
            if confirmed and form.weekly_until.data:
                series, created, failed = services.request_series(
                    inst, start, end, form.weekly_until.data, form.purpose.data, actor=current_user,
                    samples=samples, assisted=assisted)
            elif confirmed:
                booking = services.request_booking(inst, start, end, form.purpose.data, actor=current_user,
                                                   samples=samples, assisted=assisted)
            else:
                fee = services.quote_booking(inst, start, end, actor=current_user, samples=samples,
                                             assisted=assisted)
        if work.committed and confirmed and form.weekly_until.data:
            flash(_("周期预约已提交：%(n)s 次", n=len(created)), "success")
            for f in failed:
                flash(_("%(when)s 未能预约：%(reason)s", when=to_local(f["start"]).strftime("%Y-%m-%d %H:%M"),
                        reason=f["reason"]), "warning")
            return redirect(url_for("booking.series_detail", series_id=series.id))
        if work.committed and confirmed:
            flash(_("预约申请已提交") if booking.status == "requested" else _("预约已确认"), "success")
            return redirect(url_for("booking.my_bookings", new=booking.id))
        if work.committed:
            form.confirm.data = "1"
    elif request.method == "POST":
        form.confirm.data = "0"
    return render_template("booking/book.html", inst=inst, form=form, fee=fee, assisted=assisted)


def _book_samples(inst):
    """Sample submission: a drop-off day and a sample count; the drop-off appointment is the day's
    first free slot (services.drop_off_slot), quoted before it is confirmed like any booking."""
    form = SampleBookingForm()
    if request.method == "GET":
        try:
            form.drop_off.data = date.fromisoformat(request.args.get("day", ""))
        except ValueError:
            form.drop_off.data = None
    fee = span = None
    status = 200
    if form.validate_on_submit():
        confirmed = form.confirm.data == "1"
        form.confirm.data = "0"
        with unit_of_work(form) as work:
            span = services.drop_off_slot(inst, form.drop_off.data)
            if confirmed:
                booking = services.request_booking(inst, *span, form.purpose.data, actor=current_user,
                                                   samples=form.samples.data)
            else:
                fee = services.quote_booking(inst, *span, actor=current_user, samples=form.samples.data)
        if work.committed and confirmed:
            flash(_("送样预约已提交") if booking.status == "requested" else _("送样预约已确认"), "success")
            return redirect(url_for("booking.my_bookings", new=booking.id))
        if work.committed:
            form.confirm.data = "1"
        else:
            status = work.error.status
    elif request.method == "POST":
        form.confirm.data = "0"
        status = 422
    start_local = to_local(span[0]) if span else None
    return render_template("booking/book_samples.html", inst=inst, form=form, fee=fee, span=span,
                           start_local=start_local, rules=services.effective_rules(inst)), status


# -- my bookings -----------------------------------------------------------------------------------

@bp.route("/my")
@login_required
def my_bookings():
    status = _status_arg()
    view = request.args.get("view") or None
    if view is not None and view not in services.VIEWS:
        raise Invalid.field("view", _("未知的分类"))
    page, per_page = page_args(request.args)
    pagination = services.user_bookings(current_user, status=status, view=view, page=page, per_page=per_page)
    # the booking just created (?new=ID) leads the list, highlighted
    new = services.just_created(current_user, request.args.get("new", type=int)) if page == 1 else None
    items = ([new] if new else []) + [b for b in pagination.items if new is None or b.id != new.id]
    return render_template("booking/my.html", pagination=pagination, items=items, new=new, status=status,
                           view=view, STATUSES=STATUSES, to_pay=services.count_to_pay(current_user),
                           effective_status=services.effective_status, owes=services.owes,
                           has_feed=ics.has_token(current_user))


@bp.route("/my/calendar-token", methods=["POST"])
@login_required
def regenerate_feed():
    with unit_of_work() as work:
        secret = ics.regenerate_token(current_user)
    if work.committed:
        feed_url = url_for("booking.user_feed", token=secret, _external=True)
        flash(_("新的日历订阅地址已生成，旧地址失效。请立即复制保存：") + " " + feed_url, "success")
    return redirect(url_for("booking.my_bookings"))


@bp.route("/ics/<token>.ics")
def user_feed(token):
    user = ics.user_for_token(token)
    if user is None:
        abort(404)
    return Response(ics.user_feed(user), mimetype="text/calendar",
                    headers={"Content-Disposition": "inline; filename=bookings.ics"})


@bp.route("/ics/<token>/instruments/<int:instrument_id>.ics")
def instrument_feed(token, instrument_id):
    user = ics.user_for_token(token)
    if user is None:
        abort(404)
    inst = services.get_instrument(instrument_id, public=False)
    if not services.is_provider_member(inst.owner_org_id, actor=user):
        abort(404)
    return Response(ics.instrument_feed(inst), mimetype="text/calendar",
                    headers={"Content-Disposition": f"inline; filename=instrument-{inst.id}.ics"})


# -- one booking -----------------------------------------------------------------------------------

@bp.route("/<int:booking_id>")
@login_required
def detail(booking_id):
    return _detail(services.get_booking(booking_id, actor=current_user))


def _detail(booking, complete_form=None, correct_form=None, move_form=None, status=200):
    """The booking page; a usage form that failed comes back with its values and errors beside the fields."""
    if correct_form is None:
        correct_form = CorrectForm(formdata=None)
        correct_form.actual_start.data = to_local(booking.actual_start or booking.start).replace(tzinfo=None)
        correct_form.actual_end.data = to_local(booking.actual_end or booking.end).replace(tzinfo=None)
        correct_form.actual_samples.data = booking.actual_samples
    if complete_form is None:
        complete_form = CompleteForm(formdata=None)
        captured = services.captured_usage(booking) if booking.status == "in_use" else None
        if captured is not None:  # prefilled from what the instrument reported
            complete_form.actual_start.data = to_local(captured.started_at).replace(tzinfo=None)
            complete_form.actual_end.data = to_local(captured.ended_at).replace(tzinfo=None)
    return render_template("booking/detail.html", b=booking, status=services.effective_status(booking),
                           checkin_note=services.checkin_note(booking),
                           actions=services.allowed_actions(booking, actor=current_user),
                           is_provider=services.is_provider_member(booking.provider_org_id, actor=current_user),
                           history=history("booking", booking.id), reason_form=ReasonForm(),
                           cancel_form=CancelForm(), complete_form=complete_form,
                           correct_form=correct_form, rating_form=RatingForm(),
                           correction_deadline=services.correction_deadline(booking),
                           downtime=services.downtime_over(booking) if booking.status in ("requested", "approved")
                           else None, move_form=move_form or MoveForm(prefix="m", formdata=None)), status


def _approve(booking):
    services.approve_booking(booking, actor=current_user)
    return _("已批准")


def _reject(booking):
    form = ReasonForm()
    if not form.validate_on_submit():
        raise Invalid.field("reason", _("请填写拒绝理由"))
    services.reject_booking(booking, form.reason.data, actor=current_user)
    return _("已拒绝")


def _cancel(booking):
    form = CancelForm()
    form.validate_on_submit()
    services.cancel_booking(booking, form.reason.data, actor=current_user)
    return _("预约已取消")


def _check_in(booking):
    services.check_in(booking, actor=current_user)
    return _("已签到，开始使用")


def _rate(booking):
    form = RatingForm()
    if not form.validate_on_submit():
        raise Invalid.field("score", _("请选择 1–5 分"))
    services.rate_booking(booking, int(form.score.data), form.comment.data, actor=current_user)
    return _("感谢您的评价")


def _confirm_extension(booking):
    services.decide_extension(booking, True, actor=current_user)
    return _("已确认延时使用")


def _decline_extension(booking):
    services.decide_extension(booking, False, actor=current_user)
    return _("已拒绝延时使用，按预约范围计费")


def _usage_form_post(booking, action):
    """complete / correct: the form stays on the page with its errors when the record is wrong."""
    form = CompleteForm() if action == "complete" else CorrectForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            if action == "complete":
                services.complete_booking(booking, actor=current_user, actual_start=_local(form.actual_start.data),
                                          actual_end=_local(form.actual_end.data),
                                          actual_samples=form.actual_samples.data)
            else:
                services.correct_booking(booking, actor=current_user, reason=form.reason.data,
                                         status="completed" if booking.status == "no_show" else None,
                                         actual_start=_local(form.actual_start.data),
                                         actual_end=_local(form.actual_end.data),
                                         actual_samples=form.actual_samples.data)
        if work.committed:
            flash(_("使用记录已保存") if action == "complete" else _("已更正，预约人已收到通知"), "success")
            return redirect(url_for("booking.detail", booking_id=booking.id))
        status = work.error.status
        db.session.refresh(booking)
    else:
        status = 422
    forms = {"complete_form": form} if action == "complete" else {"correct_form": form}
    return _detail(booking, status=status, **forms)


ACTIONS = {"approve": _approve, "reject": _reject, "cancel": _cancel, "check-in": _check_in,
           "rate": _rate, "confirm-extension": _confirm_extension,
           "decline-extension": _decline_extension}


@bp.route("/<int:booking_id>/<action>", methods=["POST"])
@login_required
def act(booking_id, action):
    if action not in ACTIONS and action not in ("complete", "correct"):
        abort(404)
    booking = services.get_booking(booking_id, actor=current_user)
    if action in ("complete", "correct"):
        return _usage_form_post(booking, action)
    target = safe_next(request.form.get("next"), url_for("booking.detail", booking_id=booking.id))
    with unit_of_work() as work:
        message = ACTIONS[action](booking)
    if work.committed:
        flash(message, "success")
    return redirect(target)


# -- provider --------------------------------------------------------------------------------------

@bp.route("/queue")
@login_required
def queue():
    org_id = current_user.organisation_id
    if org_id is None:
        raise Forbidden(_("只有单位成员可以审批预约"))
    status = _status_arg("requested")
    page, per_page = page_args(request.args)
    pagination = services.provider_bookings(org_id, status=status, page=page, per_page=per_page,
                                            order_asc=status in ("requested", "approved", "in_use"))
    avg, count = services.rating_summary(provider_org_id=org_id)
    return render_template("booking/queue.html", pagination=pagination, status=status, STATUSES=STATUSES,
                           counts=services.provider_counts(org_id), instruments=services.org_instruments(org_id),
                           allowed_actions=services.allowed_actions, rating_avg=avg, rating_count=count,
                           reason_form=ReasonForm())


# the pages that share this blueprint (imported last: they use the helpers above)
from . import downtime, series, settings, training  # noqa: E402, F401
