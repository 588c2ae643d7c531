"""Login, server-side login sessions and password changes.

Flask-Login keeps a login session's secret (not the user id) in the session cookie and in the
remember-me cookie; only its SHA-256 is stored (UserSession). So a new secret every login, and
logout or a password change (which deletes the rows) makes every copy of those cookies worthless.
Guessing is slowed down by the limits in accounts.throttle, before this code runs.
"""
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash

from ...core import audit
from ...core.errors import Invalid
from ...core.permissions import require_login
from ...core.schema import conform, token
from ...core.timeutil import utcnow
from ...extensions import db
from .. import rules
from ..models import User, UserSession
from .core import get_user_by_email, hash_password, sha256

_dummy_hashes: dict[str, str] = {}
SessionSecret = token(100, min_length=20)  # secrets.token_urlsafe(32) in the session and remember-me cookies


def _dummy_hash() -> str:
    """A hash of a random password with the configured method, compared against when the e-mail is
    unknown: the answer and the time spent are those of a wrong password."""
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    if method not in _dummy_hashes:
        _dummy_hashes[method] = hash_password(secrets.token_urlsafe(16))
    return _dummy_hashes[method]


def authenticate(email, password) -> User:
    """The user for good credentials; the same answer (after the same work) for an unknown e-mail."""
    email = conform(rules.Email, email, "")
    user = get_user_by_email(email) if email and len(email) <= 254 else None
    password = conform(rules.Password, password, "")
    try:
        good = check_password_hash(user.password_hash if user else _dummy_hash(), password)
    except (UnicodeEncodeError, ValueError):  # a lone surrogate cannot be hashed: a wrong password
        good = False
    if user is None or not good:
        raise Invalid(_("邮箱或密码错误"))
    if not user.active:  # a refused login, answered on the login form like wrong credentials
        raise Invalid(_("账号已停用"))
    return user


def start_session(user: User) -> str:
    """A new login session for `user`; returns its secret (what Flask-Login stores) and sets it on the
    user so login_user() picks it up. Sessions older than the remember-me lifetime are swept."""
    secret = secrets.token_urlsafe(32)
    db.session.add(UserSession(user_id=user.id, token_hash=sha256(secret)))
    # a timedelta or seconds, as Flask-Login reads it
    lifetime = conform(timedelta, current_app.config.get("REMEMBER_COOKIE_DURATION")) or timedelta(days=365)
    db.session.execute(db.delete(UserSession).where(UserSession.user_id == user.id,
                                                    UserSession.created_at < utcnow() - lifetime))
    db.session.flush()
    user._session_token = secret
    return secret


def user_for_session(secret) -> User | None:
    """The active user whose login session has this secret, or None (logged out, password changed)."""
    secret = conform(SessionSecret, secret)
    if secret is None:  # a cookie that cannot be one of ours: not signed in
        return None
    row = db.session.scalar(db.select(UserSession).where(UserSession.token_hash == sha256(secret))
                            .options(joinedload(UserSession.user).selectinload(User.role_rows)))
    if row is None or not row.user.active:
        return None
    row.user._session_token = secret
    return row.user


def end_session(secret) -> None:
    """Logout: this login session stops working wherever its cookies were copied."""
    if conform(SessionSecret, secret) is not None:
        db.session.execute(db.delete(UserSession).where(UserSession.token_hash == sha256(secret)))


def end_all_sessions(user: User) -> None:
    """Every login session of `user` ends and every reset link made before dies (session_version)."""
    db.session.execute(db.delete(UserSession).where(UserSession.user_id == user.id))
    user.session_version = (user.session_version or 1) + 1


def set_password(user: User, new_password, *, field: str = "password") -> User:
    """Store a new password that passes the rules; all login sessions and reset links end."""
    rules.check_password(new_password, field)
    user.password_hash = hash_password(new_password)
    end_all_sessions(user)
    db.session.flush()
    return user


def change_password(user: User, current_password, new_password, *, actor) -> User:
    """The logged-in person changes their own password, confirming the current one."""
    require_login(actor)
    if actor.id != user.id:
        raise Invalid(_("只能修改自己的密码"))
    current = conform(rules.Password, current_password)
    try:
        ok = current is not None and check_password_hash(user.password_hash, current)
    except (UnicodeEncodeError, ValueError):
        ok = False
    if not ok:
        raise Invalid.field("current_password", _("当前密码不正确"))
    if new_password == current_password:
        raise Invalid.field("password", _("新密码不能与当前密码相同"))
    set_password(user, new_password)
    audit.record("user", user.id, "password_changed", actor=actor)
    return user
