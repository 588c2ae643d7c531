"""Account rules that other packages call: password strength and the verified-e-mail requirement."""
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from flask import current_app
from flask_babel import gettext as _
from pydantic import AfterValidator, Field

from ..core.errors import Forbidden, Invalid
from ..core.permissions import require_login
from ..core.schema import conform, text

COMMON_PASSWORDS_FILE = Path(__file__).parent / "data" / "common_passwords.txt"
MAX_PASSWORD_LENGTH = 128

# What the login form, cookies and links hand in, as typed (core.schema.conform: a wrong one is None,
# answered like an unknown one, never an error of its own).
Typed = Annotated[str, Field(strict=True)]
Password = Annotated[str, Field(strict=True, max_length=MAX_PASSWORD_LENGTH)]
Email = Annotated[text(320), AfterValidator(str.lower)]  # trimmed, lower case, no NUL


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list (data/common_passwords.txt), read once per process."""
    with open(COMMON_PASSWORDS_FILE, encoding="utf-8") as fh:
        return frozenset(line.strip() for line in fh if line.strip() and not line.startswith("#"))


def check_password(password, field: str = "password") -> str:
    """A new password: PASSWORD_MIN_LENGTH (10) to 128 characters, no control characters or lone
    surrogates, and not one of the common passwords (case-insensitive). Raises Invalid on `field`."""
    minimum = current_app.config.get("PASSWORD_MIN_LENGTH", 10)
    password = conform(Password, password, "")
    if not minimum <= len(password):
        raise Invalid.field(field, _("密码长度应为 %(min)s–%(max)s 位", min=minimum, max=MAX_PASSWORD_LENGTH))
    if any(ord(c) < 32 or ord(c) == 127 or 0xD800 <= ord(c) <= 0xDFFF for c in password):
        raise Invalid.field(field, _("密码包含无效的字符"))
    if password.strip().lower() in common_passwords() or len(set(password)) < 3:
        raise Invalid.field(field, _("这个密码太常见，容易被猜中，请换一个"))
    return password


def require_verified_email(*, actor):
    """Booking and publishing need a confirmed e-mail address; raises Forbidden saying what to do."""
    require_login(actor)
    if getattr(actor, "email_verified_at", None) is None:
        raise Forbidden(_("请先验证您的电子邮箱（点击验证邮件中的链接，或在页面顶部重新发送）后再预约或发布"))
    return actor
