from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..core.errors import Invalid
from ..core.uow import unit_of_work
from ..core.web import safe_next
from ..extensions import db
from . import services
from .forms import AcceptInvitationForm, ConfirmForm, InviteForm, LoginForm, RegisterForm, TokenForm
from .models import User

bp = Blueprint("accounts", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        # A refused login keeps its recorded attempt (keep=Invalid): it is what slows guessing down.
        with unit_of_work(form, keep=(Invalid,)) as work:
            user = services.authenticate(form.email.data, form.password.data, request.remote_addr)
        if work.committed:
            login_user(user, remember=form.remember.data)
            flash(_("欢迎回来，%(name)s", name=user.name), "success")
            return redirect(safe_next(request.args.get("next"), url_for("catalog.home")))
        return render_template("accounts/login.html", form=form), 429 if work.error.status == 429 else 200
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
        with unit_of_work(form) as work:
            user = services.register(
                email=form.email.data, name=form.name.data, password=form.password.data,
                org_name=form.org_name.data, org_kind=form.org_kind.data, org_city=form.org_city.data,
                sme=form.sme.data, high_tech=form.high_tech.data, in_province=form.in_province.data)
        if work.committed:
            login_user(user)
            flash(_("注册成功，欢迎使用平台"), "success")
            return redirect(url_for("accounts.organisation"))
    return render_template("accounts/register.html", form=form)


@bp.route("/invitations/<secret>", methods=["GET", "POST"])
def accept_invitation(secret):
    inv = services.invitation_for_secret(secret)
    form = AcceptInvitationForm(email=inv.email)
    if form.validate_on_submit():
        org_name = inv.organisation.name
        with unit_of_work(form) as work:
            user = services.accept_invitation(secret, name=form.name.data, password=form.password.data,
                                              email=form.email.data)
        if work.committed:
            login_user(user)
            flash(_("已加入 %(org)s", org=org_name), "success")
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
        with unit_of_work(form) as work:  # only the organisation's admins invite: others get a 403 page
            _inv, secret = services.invite(org, form.email.data, current_user)
        if work.committed:
            link = url_for("accounts.accept_invitation", secret=secret, _external=True)
            flash(_("邀请已创建，请把链接发给对方（只显示这一次）"), "success")
            form = InviteForm(formdata=None)
    members = db.session.scalars(db.select(User).where(User.organisation_id == org.id).order_by(User.id)).all()
    return render_template("accounts/organisation.html", org=org, members=members, form=form, link=link,
                           confirm=ConfirmForm())


MEMBER_ACTIONS = {
    "make-admin": lambda org, member, actor: services.set_member_admin(org, member, True, actor),
    "drop-admin": lambda org, member, actor: services.set_member_admin(org, member, False, actor),
    "remove": lambda org, member, actor: services.remove_member(org, member, actor),
}


@bp.route("/organisation/members/<int(max=2147483647):user_id>/<action>", methods=["POST"])
@login_required
def member_action(user_id, action):
    ConfirmForm().validate_on_submit() or abort(400)
    member = db.get_or_404(User, user_id)
    org = current_user.organisation
    if org is None:
        abort(403)
    if action not in MEMBER_ACTIONS:
        abort(404)
    with unit_of_work() as work:  # not the caller's to manage: 403/404 stay error pages
        MEMBER_ACTIONS[action](org, member, current_user)
    if work.committed:
        flash(_("已更新成员"), "success")
        return redirect(url_for("accounts.organisation"))
    return redirect(url_for("accounts.organisation")), 303


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    form = TokenForm()
    secret = None
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            _token, secret = services.create_api_token(current_user, form.name.data)
        if work.committed:
            flash(_("新令牌已创建：请立即复制，它不会再次显示"), "success")
    return render_template("accounts/tokens.html", form=form, secret=secret,
                           tokens=services.list_tokens(current_user), confirm=ConfirmForm())


@bp.route("/account/tokens/<int(max=2147483647):token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id):
    ConfirmForm().validate_on_submit() or abort(400)
    with unit_of_work() as work:
        services.revoke_api_token(token_id, current_user)
    if work.committed:
        flash(_("令牌已撤销"), "success")
    return redirect(url_for("accounts.tokens"))
