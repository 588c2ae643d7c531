from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..core.errors import Forbidden
from ..core.uow import unit_of_work
from ..core.web import locale, safe_next
from ..extensions import db
from . import services, throttle
from .forms import (
    AcceptInvitationForm,
    ChangePasswordForm,
    ConfirmForm,
    ForgotPasswordForm,
    InviteForm,
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
    TokenForm,
)
from .models import User

bp = Blueprint("accounts", __name__)


def _too_many_minutes(err) -> int:
    try:
        return max(1, -(-err.limit.limit.get_expiry() // 60))
    except AttributeError:
        return 1


@bp.errorhandler(429)
def too_many(err):
    """A limit of accounts.throttle was reached: say so on the page that was used, nothing done."""
    minutes = _too_many_minutes(err)
    headers = {"Retry-After": str(minutes * 60)}
    if request.endpoint == "accounts.login":
        message = _("登录失败次数过多，请 %(n)s 分钟后再试（或找回密码）", n=minutes)
        form, template = LoginForm(), "accounts/login.html"
    elif request.endpoint == "accounts.forgot_password":
        message = _("请求过于频繁，请 %(n)s 分钟后再试", n=minutes)
        form, template = ForgotPasswordForm(), "accounts/forgot_password.html"
    elif request.endpoint == "accounts.register":
        message = _("请求过于频繁，请 %(n)s 分钟后再试", n=minutes)
        form, template = RegisterForm(), "accounts/register.html"
    else:
        return render_template("errors/error.html", status=429, title="Too many requests",
                               detail=_("请求过于频繁，请 %(n)s 分钟后再试", n=minutes)), 429, headers
    flash(message, "error")
    return render_template(template, form=form), 429, headers


@bp.route("/login", methods=["GET", "POST"])
@throttle.login_limits
def login():
    form = LoginForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            user = services.authenticate(form.email.data, form.password.data)
            services.start_session(user)
        if work.committed:
            login_user(user, remember=form.remember.data)
            flash(_("欢迎回来，%(name)s", name=user.name), "success")
            return throttle.remember_device(
                redirect(safe_next(request.args.get("next"), url_for("core.workbench"))), user.email)
        g.login_failed = True  # counted by both login limits (accounts.throttle)
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    ConfirmForm().validate_on_submit() or abort(400)
    if current_user.is_authenticated:
        with unit_of_work():
            services.end_session(current_user.get_id())
    logout_user()
    flash(_("已退出登录"), "success")
    return redirect(url_for("catalog.home"))


@bp.route("/register", methods=["GET", "POST"])
@throttle.mail_limits
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            services.register(
                email=form.email.data, name=form.name.data, password=form.password.data,
                org_name=form.org_name.data, org_kind=form.org_kind.data, org_city=form.org_city.data,
                uscc=form.uscc.data, legal_name=form.legal_name.data, legal_rep=form.legal_rep.data,
                language=locale())
        if work.committed:  # the same answer whether or not the address already had an account
            return redirect(url_for("accounts.check_mail"))
    return render_template("accounts/register.html", form=form)


@bp.route("/register/check-mail")
def check_mail():
    return render_template("accounts/check_mail.html")


@bp.route("/invitations/<secret>", methods=["GET", "POST"])
def accept_invitation(secret):
    inv = services.invitation_for_secret(secret)
    if current_user.is_authenticated and current_user.email != inv.email:
        raise Forbidden(_("这份邀请发给了 %(email)s，当前登录的账号不能接受", email=inv.email))
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        org_name = inv.organisation.name
        with unit_of_work(form) as work:
            user = services.accept_invitation(secret, name=form.name.data, password=form.password.data,
                                              actor=current_user, language=locale())
            services.start_session(user)
        if work.committed:
            login_user(user)
            flash(_("已加入 %(org)s。验证邮件已发到 %(email)s", org=org_name, email=user.email), "success")
            return redirect(url_for("accounts.organisation"))
    return render_template("accounts/accept_invitation.html", form=form, invitation=inv)


@bp.route("/account/verify/<token>", methods=["GET", "POST"])
def verify_email(token):
    user = services.user_for_verification(token)  # a forged or expired link: a 422 page, nothing changed
    form = ConfirmForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            services.confirm_email(token)
        if work.committed:
            flash(_("邮箱已验证，现在可以预约和发布了"), "success")
            signed_in = current_user.is_authenticated and current_user.id == user.id
            return redirect(url_for("catalog.home") if signed_in else url_for("accounts.login"))
    return render_template("accounts/verify_email.html", form=form, user=user)


@bp.route("/account/verify/resend", methods=["POST"])
@login_required
@throttle.resend_limits
def resend_verification():
    ConfirmForm().validate_on_submit() or abort(400)
    with unit_of_work() as work:
        services.resend_verification(actor=current_user)
    if work.committed:
        flash(_("验证邮件已重新发送到 %(email)s", email=current_user.email), "success")
    return redirect(safe_next(request.referrer, url_for("catalog.home")))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        with unit_of_work(form) as work:
            services.change_password(user, form.current_password.data, form.password.data, actor=user)
            services.start_session(user)  # every other session (and remember-me cookie) has ended
        if work.committed:
            logout_user()  # clears the old remember-me cookie
            login_user(user)
            flash(_("密码已修改，其他设备上的登录已退出"), "success")
            return redirect(url_for("accounts.organisation"))
    return render_template("accounts/change_password.html", form=form)


@bp.route("/password/forgot", methods=["GET", "POST"])
@throttle.mail_limits
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            services.request_password_reset(form.email.data)
        if work.committed:  # the same answer whether or not the address has an account
            flash(_("如果该邮箱已注册，重置密码的链接已发到邮箱，请在一小时内使用"), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    services.user_for_reset(token)  # a forged, expired or used link: a 422 page, nothing changed
    form = ResetPasswordForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            services.reset_password(token, form.password.data)
        if work.committed:
            if current_user.is_authenticated:
                logout_user()
            flash(_("密码已重置，请用新密码登录"), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)


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
            _inv, secret = services.invite(org, form.email.data, actor=current_user)
        if work.committed:
            link = url_for("accounts.accept_invitation", secret=secret, _external=True)
            flash(_("邀请已创建，请把链接发给对方（只显示这一次）"), "success")
            form = InviteForm(formdata=None)
    members = db.session.scalars(db.select(User).where(User.organisation_id == org.id).order_by(User.id)).all()
    return render_template("accounts/organisation.html", org=org, members=members, form=form, link=link,
                           confirm=ConfirmForm())


MEMBER_ACTIONS = {
    "make-admin": lambda org, member, actor: services.set_member_admin(org, member, True, actor=actor),
    "drop-admin": lambda org, member, actor: services.set_member_admin(org, member, False, actor=actor),
    "remove": lambda org, member, actor: services.remove_member(org, member, actor=actor),
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
        services.revoke_api_token(token_id, actor=current_user)
    if work.committed:
        flash(_("令牌已撤销"), "success")
    return redirect(url_for("accounts.tokens"))
