"""Signed, expiring links (itsdangerous with the app's SECRET_KEY) and the mails that carry them.

- e-mail verification: {user id, address}, EMAIL_VERIFY_MAX_AGE seconds (default 3 days);
- password reset: {user id, session_version}, PASSWORD_RESET_MAX_AGE seconds (default 1 hour). A reset
  (or any password change) bumps session_version, so a link works once and older links die with it.

Mails are jobs run after the commit (core.jobs, notifications.deliver_mail); in development the 'log'
backend puts the link in the app log. Nothing here reveals whether an address has an account: callers
answer the same either way.
"""
from flask import current_app, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from pydantic import BaseModel, ConfigDict

from ...core import audit
from ...core.db import find
from ...core.errors import Invalid
from ...core.i18n import Message as _l
from ...core.jobs import enqueue
from ...core.schema import conform, token
from ...core.timeutil import utcnow
from ..models import User
from .core import get_user_by_email
from .sessions import set_password

VERIFY_SALT = "accounts.verify-email"
RESET_SALT = "accounts.reset-password"
MAX_TOKEN_LENGTH = 400


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


class LinkData(BaseModel):
    """What a signed link carries: the user's id, and the address (verification) or the session
    version (reset) it was made for."""
    model_config = ConfigDict(strict=True, extra="ignore")
    u: int
    e: str | None = None
    v: int | None = None


def _load(link_token, salt: str, max_age: int) -> LinkData:
    link_token = conform(token(MAX_TOKEN_LENGTH), link_token)
    if link_token is None:
        raise Invalid(_("链接无效，请重新申请"))
    try:
        data = _serializer(salt).loads(link_token, max_age=max_age)
    except SignatureExpired:
        raise Invalid(_("链接已过期，请重新申请")) from None
    except (BadSignature, ValueError, TypeError):
        raise Invalid(_("链接无效，请重新申请")) from None
    data = conform(LinkData, data)
    if data is None:
        raise Invalid(_("链接无效，请重新申请"))
    return data


def queue_mail(user: User, subject: dict, body: dict) -> None:
    """The mail job (notifications.deliver_mail), in the person's language, run once the transaction
    commits; never for work that was rolled back."""
    from ...notifications.services import deliver_mail
    enqueue(deliver_mail, user.email, user.language, subject, body)


# -- e-mail verification --------------------------------------------------------------------------

def verification_token(user: User) -> str:
    return _serializer(VERIFY_SALT).dumps({"u": user.id, "e": user.email})


def send_verification(user: User) -> None:
    link = url_for("accounts.verify_email", token=verification_token(user), _external=True)
    queue_mail(user, _l("请验证您的电子邮箱"), _l(
        "您好，%(name)s：\n\n请打开下面的链接确认这是您的邮箱。确认之后才能预约仪器和发布资源。"
        "链接 %(days)s 天内有效。\n\n%(link)s\n\n如果这不是您本人的操作，请忽略这封邮件。",
        name=user.name, days=current_app.config["EMAIL_VERIFY_MAX_AGE"] // 86400, link=link))


def user_for_verification(token) -> User:
    data = _load(token, VERIFY_SALT, current_app.config["EMAIL_VERIFY_MAX_AGE"])
    user = find(User, data.u)
    if user is None or user.email != data.e:
        raise Invalid(_("链接无效，请重新申请"))
    return user


def confirm_email(token) -> User:
    """Mark the address in the link as verified (again: harmless)."""
    user = user_for_verification(token)
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        audit.record("user", user.id, "email_verified", actor=user)
    return user


# -- forgotten passwords --------------------------------------------------------------------------

def reset_token(user: User) -> str:
    return _serializer(RESET_SALT).dumps({"u": user.id, "v": user.session_version})


def request_password_reset(email) -> None:
    """Mail a reset link when the address belongs to an active account; say nothing either way."""
    user = get_user_by_email(email)
    token = reset_token(user) if user is not None else _serializer(RESET_SALT).dumps({"u": 0, "v": 0})
    if user is None or not user.active:
        return
    link = url_for("accounts.reset_password", token=token, _external=True)
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    queue_mail(user, _l("重置您的密码"), _l(
        "您好，%(name)s：\n\n有人（希望是您本人）申请重置这个账号的密码。请在 %(minutes)s 分钟内打开下面的链接"
        "设置新密码，链接只能使用一次。\n\n%(link)s\n\n如果不是您本人申请，请忽略这封邮件，密码不会改变。",
        name=user.name, minutes=minutes, link=link))


def user_for_reset(token) -> User:
    data = _load(token, RESET_SALT, current_app.config["PASSWORD_RESET_MAX_AGE"])
    user = find(User, data.u)
    if user is None or not user.active or user.session_version != data.v:
        raise Invalid(_("链接已失效（已经使用过，或密码已修改），请重新申请"))
    return user


def reset_password(token, new_password) -> User:
    """Set a new password from a reset link; the link, and every login session, stop working."""
    user = user_for_reset(token)
    set_password(user, new_password)
    if user.email_verified_at is None:  # the link reached the mailbox: the address is proven
        user.email_verified_at = utcnow()
    audit.record("user", user.id, "password_reset", actor=user)
    return user
