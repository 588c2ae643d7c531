"""Slowing down password guessing and mail flooding with Flask-Limiter.

Failed logins count per account (the e-mail typed, from any address) and per address (whatever
e-mails it tries); once a limit is reached the login form answers 429 without checking the password,
for known and unknown e-mails alike. Accepted registration and password-reset posts (each sends a
mail) are limited per e-mail and per address too, and resending the verification mail per account. Counters live in memory (one process) unless RATELIMIT_STORAGE_URI names a shared
store such as redis://host:6379/0, which several workers need. Limits are settings (config.py).
"""
import hashlib

from flask import current_app, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from itsdangerous import BadSignature, URLSafeTimedSerializer

limiter = Limiter(key_func=get_remote_address, default_limits=[], strategy="fixed-window")


def _typed_email() -> str:
    email = request.form.get("email", "")
    email = email.strip().lower()[:254] if isinstance(email, str) else ""
    return hashlib.sha256(email.encode("utf-8", "replace")).hexdigest()[:32]


def account_key() -> str:
    return "account:" + _typed_email()


def address_key() -> str:
    return "address:" + (get_remote_address() or "unknown")[:64]


# A browser the owner logged in with before carries a signed cookie naming the account (its typed-e-mail
# hash): the per-account limit does not apply to it, so strangers' guesses never lock the owner out of a
# device they used (the per-address limit still does).
KNOWN_DEVICE_COOKIE = "known_device"
KNOWN_DEVICE_DAYS = 365


def _devices() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="accounts.known-device")


def remember_device(response, email: str):
    """After a successful login: mark this browser as one the account's owner uses."""
    digest = hashlib.sha256(email.strip().lower().encode("utf-8", "replace")).hexdigest()[:32]
    response.set_cookie(KNOWN_DEVICE_COOKIE, _devices().dumps(digest), max_age=KNOWN_DEVICE_DAYS * 86400,
                        httponly=True, samesite="Lax", secure=request.is_secure)
    return response


def known_device() -> bool:
    token = request.cookies.get(KNOWN_DEVICE_COOKIE)
    if not token or len(token) > 400:
        return False
    try:
        return _devices().loads(token, max_age=KNOWN_DEVICE_DAYS * 86400) == _typed_email()
    except (BadSignature, ValueError, TypeError):
        return False


def _failed_login(_response) -> bool:
    return bool(g.get("login_failed"))


def _setting(name):
    return lambda: current_app.config[name]


def login_limits(view):
    """Both login limits on the login view; only failed attempts (g.login_failed) count."""
    view = limiter.limit(_setting("LOGIN_LIMIT_PER_ACCOUNT"), key_func=account_key, methods=["POST"],
                         deduct_when=_failed_login, exempt_when=known_device, scope="login-account")(view)
    return limiter.limit(_setting("LOGIN_LIMIT_PER_ADDRESS"), key_func=address_key, methods=["POST"],
                         deduct_when=_failed_login, scope="login-address")(view)


def _mail_sent(response) -> bool:
    return response.status_code == 302  # the form was accepted (a mail went out, or would have)


def mail_limits(view):
    """Views that send mail to a typed address (registration, password reset): accepted posts count,
    per e-mail and per address; a form sent back with errors does not."""
    view = limiter.limit(_setting("MAIL_LIMIT_PER_ACCOUNT"), key_func=account_key, methods=["POST"],
                         deduct_when=_mail_sent, scope="mail-account")(view)
    return limiter.limit(_setting("MAIL_LIMIT_PER_ADDRESS"), key_func=address_key, methods=["POST"],
                         deduct_when=_mail_sent, scope="mail-address")(view)


def _user_key() -> str:
    from flask_login import current_user
    return f"user:{getattr(current_user, 'id', None)}"


def resend_limits(view):
    """Re-sending the verification mail: per account."""
    return limiter.limit(_setting("MAIL_LIMIT_PER_ACCOUNT"), key_func=_user_key, methods=["POST"],
                         scope="mail-resend")(view)


def init_app(app):
    # One Limiter object serves the process's app; Flask-Limiter keeps the first app's key prefix
    # unless told again, so each app (tests build many) starts from its own settings.
    limiter._key_prefix = None
    limiter.init_app(app)
