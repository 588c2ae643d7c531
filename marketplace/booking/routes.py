"""Booking pages: calendar, booking form with a confirm step, my bookings, approver queue,
booking detail and actions, provider settings, ICS feeds. Routes parse input and call services;
every form post is one unit of work, and no GET writes."""
from datetime import date, datetime, timedelta

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..core.audit import history
from ..core.errors import Forbidden, Invalid
from ..core.pagination import page_args
from ..core.timeutil import local_to_utc_naive, to_local
from ..core.uow import unit_of_work
from ..core.web import safe_next
from . import ics, rules, services
from .forms import (
    BlackoutForm,
    BookingForm,
    CancelForm,
    CompleteForm,
    QualifyForm,
    RatingForm,
    ReasonForm,
    SampleBookingForm,
    SettingsForm,
)
from .states import STATUSES

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
    if inst.price_unit == "sample":
        return _book_samples(inst)
    form = BookingForm()
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
            if confirmed:
                booking = services.request_booking(inst, start, end, form.purpose.data, actor=current_user,
                                                   samples=samples)
            else:
                fee = services.quote_booking(inst, start, end, actor=current_user, samples=samples)
        if work.committed and confirmed:
            flash(_("预约申请已提交") if booking.status == "requested" else _("预约已确认"), "success")
            return redirect(url_for("booking.my_bookings", new=booking.id))
        if work.committed:
            form.confirm.data = "1"
    elif request.method == "POST":
        form.confirm.data = "0"
    return render_template("booking/book.html", inst=inst, form=form, fee=fee)


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
    booking = services.get_booking(booking_id, actor=current_user)
    return render_template("booking/detail.html", b=booking, status=services.effective_status(booking),
                           checkin_note=services.checkin_note(booking),
                           actions=services.allowed_actions(booking, actor=current_user),
                           is_provider=services.is_provider_member(booking.provider_org_id, actor=current_user),
                           history=history("booking", booking.id), reason_form=ReasonForm(),
                           cancel_form=CancelForm(), complete_form=CompleteForm(), rating_form=RatingForm())


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


def _complete(booking):
    form = CompleteForm()
    if not form.validate_on_submit():
        raise _form_errors(form, _("使用记录有误"))
    services.complete_booking(booking, actor=current_user, actual_start=_local(form.actual_start.data),
                              actual_end=_local(form.actual_end.data), actual_samples=form.actual_samples.data)
    return _("使用记录已保存")


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


ACTIONS = {"approve": _approve, "reject": _reject, "cancel": _cancel, "check-in": _check_in,
           "complete": _complete, "rate": _rate, "confirm-extension": _confirm_extension,
           "decline-extension": _decline_extension}


@bp.route("/<int:booking_id>/<action>", methods=["POST"])
@login_required
def act(booking_id, action):
    if action not in ACTIONS:
        abort(404)
    booking = services.get_booking(booking_id, actor=current_user)
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


@bp.route("/instruments/<int:instrument_id>/settings", methods=["GET", "POST"])
@login_required
def settings(instrument_id):
    inst = services.get_instrument(instrument_id, public=False)
    page = services.settings_page(inst, actor=current_user)
    form = SettingsForm()
    if request.method == "GET":
        r, s = page["rules"], page["stored"]
        form.opening_hours.data = rules.format_weekly_hours(r.weekly)
        form.lead_time_hours.data = s.lead_time_hours if s else None
        form.horizon_days.data = s.horizon_days if s else None
        form.min_minutes.data = s.min_minutes if s else None
        form.max_minutes.data = s.max_minutes if s else None
        form.requires_approval.data = r.requires_approval
    elif form.validate_on_submit():
        with unit_of_work(form) as work:
            services.update_settings(inst, actor=current_user, opening_hours=form.opening_hours.data,
                                     lead_time_hours=form.lead_time_hours.data,
                                     horizon_days=form.horizon_days.data, min_minutes=form.min_minutes.data,
                                     max_minutes=form.max_minutes.data,
                                     requires_approval=form.requires_approval.data)
        if work.committed:
            flash(_("预约设置已保存"), "success")
            return redirect(url_for("booking.settings", instrument_id=inst.id))
    return render_template("booking/settings.html", inst=inst, form=form, rules=page["rules"],
                           blackouts=page["blackouts"], quals=page["quals"], blackout_form=BlackoutForm(prefix="b"),
                           qualify_form=QualifyForm(prefix="q"), defaults=current_app.config)


def _add_blackout(inst):
    form = BlackoutForm(prefix="b")
    if not form.validate_on_submit():
        raise _form_errors(form, _("请完整填写停机时段"))
    services.add_blackout(inst, _local(form.start.data), _local(form.end.data), form.reason.data,
                          actor=current_user)


def _qualify(inst):
    form = QualifyForm(prefix="q")
    if not form.validate_on_submit():
        raise Invalid.field("email", _("请输入有效的邮箱"))
    services.qualify_user(inst, form.email.data, actor=current_user)


SETTINGS_ITEMS = {
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
