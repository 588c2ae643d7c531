"""Booking pages: calendar, booking form with a confirm step, my bookings, approver queue,
booking detail and actions, provider settings, ICS feeds. Routes parse input and call services."""
from datetime import date, datetime, timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..core.audit import history
from ..core.errors import DomainError, Forbidden, Invalid
from ..core.pagination import page_args
from ..core.timeutil import local_to_utc_naive, to_local, utcnow
from ..core.web import flash_error
from ..extensions import db
from . import ics, rules, services
from .forms import (BlackoutForm, BookingForm, CancelForm, CompleteForm, QualifyForm, RatingForm, ReasonForm,
                    SettingsForm)
from .models import STATUSES, Blackout, Qualification

bp = Blueprint("booking", __name__, url_prefix="/booking")


def _week_start(arg: str | None, first_bookable: datetime | None = None) -> date:
    """Monday of the asked week; by default the week in which booking first becomes possible."""
    today = to_local(first_bookable or utcnow()).date()
    try:
        d = date.fromisoformat(arg) if arg else today
    except ValueError:
        d = today
    if abs((d - today).days) > 800:
        d = today
    return d - timedelta(days=d.weekday())


def week_calendar(instrument, week: str | None = None):
    r = services.effective_rules(instrument)
    start = _week_start(week, utcnow() + timedelta(hours=r.lead_time_hours))
    # Unless a week was asked for, skip a week that has nothing left to book (say, on a Friday).
    for _ in range(1 if week else 2):
        lo = rules._to_utc(start, datetime.min.time())
        busy = services.busy_between(instrument.id, lo, lo + timedelta(days=7))
        days, rows = rules.week_grid(r, busy, start, utcnow())
        if any(state == "free" for _label, cells in rows for state, _s in cells):
            break
        start += timedelta(days=7)
    else:
        start -= timedelta(days=7)
    return {"days": days, "rows": rows, "week": start, "prev": start - timedelta(days=7),
            "next": start + timedelta(days=7), "rules": r}


def _status_arg():
    status = request.args.get("status") or None
    if status is not None and status not in STATUSES:
        raise Invalid.field("status", "未知的状态 / unknown status")
    return status


# -- finding and booking ---------------------------------------------------------------------------

@bp.route("/instruments/<int:instrument_id>/calendar")
def calendar(instrument_id):
    inst = services.get_instrument(instrument_id)
    cal = week_calendar(inst, request.args.get("week"))
    avg, count = services.rating_summary(instrument_id=inst.id)
    return render_template("booking/calendar.html", inst=inst, cal=cal, rating_avg=avg, rating_count=count)


@bp.route("/instruments/<int:instrument_id>/book", methods=["GET", "POST"])
@login_required
def book(instrument_id):
    inst = services.get_instrument(instrument_id)
    form = BookingForm()
    if request.method == "GET":
        raw = request.args.get("start")
        try:
            start = datetime.strptime(raw, "%Y-%m-%dT%H:%M") if raw else None
        except ValueError:
            start = None
        if start:
            r = services.effective_rules(inst)
            form.start.data = start
            form.end.data = start + timedelta(minutes=max(r.min_minutes, 60))
    fee = None
    if form.validate_on_submit():
        start, end = local_to_utc_naive(form.start.data), local_to_utc_naive(form.end.data)
        samples = form.samples.data
        try:
            if form.confirm.data == "1":
                booking = services.request_booking(inst, current_user, start, end, form.purpose.data,
                                                   samples=samples)
                db.session.commit()
                flash(_("预约申请已提交") if booking.status == "requested" else _("预约已确认"), "success")
                return redirect(url_for("booking.detail", booking_id=booking.id))
            fee = services.quote_booking(inst, current_user, start, end, samples=samples)
            form.confirm.data = "1"
        except DomainError as err:
            db.session.rollback()
            form.confirm.data = "0"
            flash_error(err, form)
    elif request.method == "POST":
        form.confirm.data = "0"
    return render_template("booking/book.html", inst=inst, form=form, fee=fee)


# -- my bookings -----------------------------------------------------------------------------------

@bp.route("/my")
@login_required
def my_bookings():
    status = _status_arg()
    page, per_page = page_args(request.args)
    services.lazy_mark_no_shows(user_id=current_user.id)
    pagination = services.user_bookings(current_user, status=status, page=page, per_page=per_page)
    return render_template("booking/my.html", pagination=pagination, status=status, STATUSES=STATUSES,
                           has_feed=ics.has_token(current_user), feed_url=None)


@bp.route("/my/calendar-token", methods=["POST"])
@login_required
def regenerate_feed():
    secret = ics.regenerate_token(current_user)
    db.session.commit()
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
    if not services.is_provider_member(user, inst.owner_org_id):
        abort(404)
    return Response(ics.instrument_feed(inst), mimetype="text/calendar",
                    headers={"Content-Disposition": f"inline; filename=instrument-{inst.id}.ics"})


# -- one booking -----------------------------------------------------------------------------------

@bp.route("/<int:booking_id>")
@login_required
def detail(booking_id):
    booking = services.get_booking(booking_id, current_user)
    if services.lazy_mark_no_shows(id=booking.id):
        booking = services.get_booking(booking_id, current_user)
    is_provider = services.is_provider_member(current_user, booking.provider_org_id)
    return render_template("booking/detail.html", b=booking, is_provider=is_provider,
                           history=history("booking", booking.id), reason_form=ReasonForm(),
                           cancel_form=CancelForm(), complete_form=CompleteForm(), rating_form=RatingForm())


ACTIONS = ("approve", "reject", "cancel", "check-in", "complete", "rate")


@bp.route("/<int:booking_id>/<action>", methods=["POST"])
@login_required
def act(booking_id, action):
    if action not in ACTIONS:
        abort(404)
    booking = services.get_booking(booking_id, current_user)
    back = request.form.get("next") or ""
    local = back.startswith("/") and not back.startswith("//") and "\\" not in back
    target = back if local else url_for(
        "booking.detail", booking_id=booking.id)
    try:
        if action == "approve":
            services.approve_booking(booking, current_user)
            msg = _("已批准")
        elif action == "reject":
            form = ReasonForm()
            if not form.validate_on_submit():
                raise Invalid.field("reason", "请填写拒绝理由 / give the reason")
            services.reject_booking(booking, current_user, form.reason.data)
            msg = _("已拒绝")
        elif action == "cancel":
            form = CancelForm()
            form.validate_on_submit()
            services.cancel_booking(booking, current_user, form.reason.data)
            msg = _("预约已取消")
        elif action == "check-in":
            services.check_in(booking, current_user)
            msg = _("已签到，开始使用")
        elif action == "complete":
            form = CompleteForm()
            if not form.validate_on_submit():
                raise Invalid("使用记录有误 / the usage record is not valid",
                              {k: list(v) for k, v in form.errors.items()})
            services.complete_booking(
                booking, current_user,
                actual_start=local_to_utc_naive(form.actual_start.data) if form.actual_start.data else None,
                actual_end=local_to_utc_naive(form.actual_end.data) if form.actual_end.data else None,
                actual_samples=form.actual_samples.data)
            msg = _("使用记录已保存")
        else:
            form = RatingForm()
            if not form.validate_on_submit():
                raise Invalid.field("score", "请选择 1–5 分 / choose 1 to 5")
            services.rate_booking(booking, current_user, int(form.score.data), form.comment.data)
            msg = _("感谢您的评价")
        db.session.commit()
        flash(msg, "success")
    except DomainError as err:
        db.session.rollback()
        flash_error(err)
    return redirect(target)


# -- provider --------------------------------------------------------------------------------------

@bp.route("/queue")
@login_required
def queue():
    org_id = current_user.organisation_id
    if org_id is None:
        raise Forbidden("只有单位成员可以审批预约 / only members of an organisation approve bookings")
    status = request.args.get("status") or "requested"
    if status not in STATUSES:
        raise Invalid.field("status", "未知的状态 / unknown status")
    page, per_page = page_args(request.args)
    services.lazy_mark_no_shows(provider_org_id=org_id)
    pagination = services.provider_bookings(org_id, status=status, page=page, per_page=per_page,
                                            order_asc=status in ("requested", "approved", "in_use"))
    avg, count = services.rating_summary(provider_org_id=org_id)
    return render_template("booking/queue.html", pagination=pagination, status=status, STATUSES=STATUSES,
                           counts=services.provider_counts(org_id), instruments=services.org_instruments(org_id),
                           rating_avg=avg, rating_count=count, reason_form=ReasonForm())


@bp.route("/instruments/<int:instrument_id>/settings", methods=["GET", "POST"])
@login_required
def settings(instrument_id):
    inst = services.get_instrument(instrument_id, public=False)
    if not services.is_provider_member(current_user, inst.owner_org_id):
        raise Forbidden("只有本单位成员可以设置 / only members of the owning organisation")
    r = services.effective_rules(inst)
    form = SettingsForm()
    if request.method == "GET":
        form.opening_hours.data = rules.format_weekly_hours(r.weekly)
        s = services.db.session.get(services.BookingSettings, inst.id)
        form.lead_time_hours.data = s.lead_time_hours if s else None
        form.horizon_days.data = s.horizon_days if s else None
        form.min_minutes.data = s.min_minutes if s else None
        form.max_minutes.data = s.max_minutes if s else None
        form.requires_approval.data = r.requires_approval
    elif form.validate_on_submit():
        try:
            services.update_settings(inst, current_user, opening_hours=form.opening_hours.data,
                                     lead_time_hours=form.lead_time_hours.data,
                                     horizon_days=form.horizon_days.data, min_minutes=form.min_minutes.data,
                                     max_minutes=form.max_minutes.data,
                                     requires_approval=form.requires_approval.data)
            db.session.commit()
            flash(_("预约设置已保存"), "success")
            return redirect(url_for("booking.settings", instrument_id=inst.id))
        except DomainError as err:
            db.session.rollback()
            flash_error(err, form)
    blackouts = db.session.scalars(db.select(Blackout).where(Blackout.instrument_id == inst.id)
                                   .order_by(Blackout.start.desc())).all()
    quals = db.session.scalars(db.select(Qualification).where(Qualification.instrument_id == inst.id)).all()
    return render_template("booking/settings.html", inst=inst, form=form, rules=r, blackouts=blackouts,
                           quals=quals, blackout_form=BlackoutForm(prefix="b"), qualify_form=QualifyForm(prefix="q"),
                           defaults=services.current_app.config)


@bp.route("/instruments/<int:instrument_id>/settings/<what>", methods=["POST"])
@login_required
def settings_item(instrument_id, what):
    inst = services.get_instrument(instrument_id, public=False)
    try:
        if what == "blackout":
            form = BlackoutForm(prefix="b")
            if not form.validate_on_submit():
                raise Invalid("请完整填写停机时段 / fill in the blackout period",
                              {k: list(v) for k, v in form.errors.items()})
            services.add_blackout(inst, current_user, local_to_utc_naive(form.start.data),
                                  local_to_utc_naive(form.end.data), form.reason.data)
        elif what == "blackout-delete":
            services.remove_blackout(request.form.get("id", type=int), current_user)
        elif what == "qualify":
            form = QualifyForm(prefix="q")
            if not form.validate_on_submit():
                raise Invalid.field("email", "请输入有效的邮箱 / enter a valid e-mail")
            services.qualify_user(inst, current_user, form.email.data)
        elif what == "unqualify":
            services.revoke_qualification(inst, current_user, request.form.get("user_id", type=int))
        else:
            abort(404)
        db.session.commit()
        flash(_("已保存"), "success")
    except DomainError as err:
        db.session.rollback()
        flash_error(err)
    return redirect(url_for("booking.settings", instrument_id=inst.id))
