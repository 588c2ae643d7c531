"""The notifications page."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..core.pagination import page_args
from ..core.uow import unit_of_work
from ..core.web import safe_next
from . import services

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.route("/")
@login_required
def index():
    page, per_page = page_args(request.args)
    unread_only = request.args.get("unread") == "1"
    pagination = services.list_for(current_user, page, per_page, unread_only=unread_only)
    return render_template("notifications/index.html", pagination=pagination, unread_only=unread_only)


@bp.route("/<int:note_id>/read", methods=["POST"])
@login_required
def read(note_id):
    with unit_of_work():
        note = services.mark_read(note_id, actor=current_user)
    return redirect(safe_next(note.link, url_for("notifications.index")))


@bp.route("/read-all", methods=["POST"])
@login_required
def read_all():
    with unit_of_work():
        services.mark_all_read(actor=current_user)
    flash(_("全部标为已读"), "success")
    return redirect(url_for("notifications.index"))
