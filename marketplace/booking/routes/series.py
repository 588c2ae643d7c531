"""A weekly series: its slots, approved or cancelled together."""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...core.uow import unit_of_work
from .. import services
from ..forms import CancelForm
from . import bp


@bp.route("/series/<int:series_id>")
@login_required
def series_detail(series_id):
    series = services.get_series(series_id, actor=current_user)
    bookings = services.series_bookings(series)
    provider = services.is_provider_member(series.provider_org_id, actor=current_user)
    return render_template("booking/series.html", series=series, bookings=bookings, is_provider=provider,
                           can_approve=provider and any("approve" in services.allowed_actions(b, actor=current_user)
                                                        for b in bookings),
                           can_cancel=any("cancel" in services.allowed_actions(b, actor=current_user)
                                          for b in bookings))


@bp.route("/series/<int:series_id>/<action>", methods=["POST"])
@login_required
def series_act(series_id, action):
    if action not in ("approve", "cancel"):
        abort(404)
    series = services.get_series(series_id, actor=current_user)
    with unit_of_work() as work:
        if action == "approve":
            n = services.approve_series(series, actor=current_user)
        else:
            form = CancelForm()
            form.validate_on_submit()
            n = services.cancel_series(series, form.reason.data, actor=current_user)
    if work.committed:
        flash(_("已批准 %(n)s 次", n=n) if action == "approve" else _("已取消 %(n)s 次", n=n), "success")
    return redirect(url_for("booking.series_detail", series_id=series.id))
