from urllib.parse import urlparse

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..core.errors import DomainError
from ..core.web import flash_error
from ..extensions import db
from . import services
from .forms import AcceptInvitationForm, ConfirmForm, InviteForm, LoginForm, RegisterForm, TokenForm
from .models import User

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str:
    if target and urlparse(target).netloc == "" and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("catalog.home")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data, request.remote_addr)
        except DomainError as err:
            db.session.commit()  # keep the failed attempt: it is what slows guessing down
            flash_error(err)
            return render_template("accounts/login.html", form=form), 429 if err.status == 429 else 200
        login_user(user, remember=form.remember.data)
        flash(_("欢迎回来，%(name)s", name=user.name), "success")
        return redirect(_safe_next(request.args.get("next")))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    ConfirmForm().validate_on_submit() or abort(400)
    logout_user()
    flash(_("已退出登录"), "success")
    return redirect(url_for("catalog.home"))


@bp.route("/register", methods=["GET", "POST"])
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = services.register(
                email=form.email.data, name=form.name.data, password=form.password.data,
                org_name=form.org_name.data, org_kind=form.org_kind.data, org_city=form.org_city.data,
                sme=form.sme.data, high_tech=form.high_tech.data, in_province=form.in_province.data)
        except DomainError as err:
            db.session.rollback()
            flash_error(err, form)
        else:
            db.session.commit()
            login_user(user)
            flash(_("注册成功，欢迎使用平台"), "success")
            return redirect(url_for("accounts.organisation"))
    return render_template("accounts/register.html", form=form)


@bp.route("/invitations/<secret>", methods=["GET", "POST"])
def accept_invitation(secret):
    inv = services.invitation_for_secret(secret)
    form = AcceptInvitationForm(email=inv.email)
    if form.validate_on_submit():
        try:
            user = services.accept_invitation(secret, name=form.name.data, password=form.password.data,
                                              email=form.email.data)
        except DomainError as err:
            db.session.rollback()
            flash_error(err, form)
        else:
            db.session.commit()
            login_user(user)
            flash(_("已加入 %(org)s", org=inv.organisation.name), "success")
            return redirect(url_for("accounts.organisation"))
    return render_template("accounts/accept_invitation.html", form=form, invitation=inv)


@bp.route("/organisation", methods=["GET", "POST"])
@login_required
def organisation():
    org = current_user.organisation
    if org is None:
        return render_template("accounts/organisation.html", org=None, members=[], form=None, link=None)
    form = InviteForm()
    link = None
    if form.validate_on_submit():
        try:
            _inv, secret = services.invite(org, form.email.data, current_user)
        except DomainError as err:
            db.session.rollback()
            if err.status in (403, 404):
                raise  # only the organisation's admins invite: an error page, not a form message
            flash_error(err, form)
        else:
            db.session.commit()
            link = url_for("accounts.accept_invitation", secret=secret, _external=True)
            flash(_("邀请已创建，请把链接发给对方（只显示这一次）"), "success")
            form = InviteForm(formdata=None)
    members = db.session.scalars(db.select(User).where(User.organisation_id == org.id).order_by(User.id)).all()
    return render_template("accounts/organisation.html", org=org, members=members, form=form, link=link,
                           confirm=ConfirmForm())


@bp.route("/organisation/members/<int(max=2147483647):user_id>/<action>", methods=["POST"])
@login_required
def member_action(user_id, action):
    ConfirmForm().validate_on_submit() or abort(400)
    member = db.get_or_404(User, user_id)
    org = current_user.organisation
    if org is None:
        abort(403)
    try:
        if action == "make-admin":
            services.set_member_admin(org, member, True, current_user)
        elif action == "drop-admin":
            services.set_member_admin(org, member, False, current_user)
        elif action == "remove":
            services.remove_member(org, member, current_user)
        else:
            abort(404)
    except DomainError as err:
        db.session.rollback()
        if err.status in (403, 404):
            raise  # not the caller's to manage: an error page, not a message
        flash_error(err)
        return redirect(url_for("accounts.organisation")), 303
    db.session.commit()
    flash(_("已更新成员"), "success")
    return redirect(url_for("accounts.organisation"))


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    form = TokenForm()
    secret = None
    if form.validate_on_submit():
        _token, secret = services.create_api_token(current_user, form.name.data)
        db.session.commit()
        flash(_("新令牌已创建：请立即复制，它不会再次显示"), "success")
    return render_template("accounts/tokens.html", form=form, secret=secret,
                           tokens=services.list_tokens(current_user), confirm=ConfirmForm())


@bp.route("/account/tokens/<int(max=2147483647):token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id):
    ConfirmForm().validate_on_submit() or abort(400)
    services.revoke_api_token(token_id, current_user)
    db.session.commit()
    flash(_("令牌已撤销"), "success")
    return redirect(url_for("accounts.tokens"))
