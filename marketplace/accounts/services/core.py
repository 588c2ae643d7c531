"""Accounts: users and organisations, invitations, members, roles and API tokens."""
import functools
import hashlib
import re
import secrets
from datetime import timedelta
from typing import Literal

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload
from werkzeug.security import generate_password_hash

from ...core import audit
from ...core.errors import Conflict, Invalid, NotFound
from ...core.permissions import require_login, require_org_admin, require_role
from ...core.reference import CITIES, ORG_KINDS, PLATFORM_ROLES
from ...core.schema import conform, token, validated
from ...core.timeutil import utcnow
from ...extensions import db
from .. import rules
from ..models import ApiToken, Invitation, Organisation, User, UserRole

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,185}\.[^@\s]{2,}$")
INVITATION_DAYS = 14


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config.get("PASSWORD_HASH_METHOD", "scrypt"))


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


_sha256 = sha256  # the name filing's invitations import


def _clean_email(email) -> str:
    email = conform(rules.Email, email, "")
    if (not EMAIL_RE.match(email) or len(email) > 254
            or any(ord(c) < 32 or 0xD800 <= ord(c) <= 0xDFFF for c in email)):
        raise Invalid.field("email", _("请输入有效的电子邮箱"))
    return email


def _check_name(name, field="name", max_len=60) -> str:
    name = " ".join(conform(rules.Typed, name, "").split())
    if not name or len(name) > max_len:
        raise Invalid.field(field, _("请填写（不超过 %(n)s 字）", n=max_len))
    if any(ord(c) < 32 or 0xD800 <= ord(c) <= 0xDFFF for c in name):
        raise Invalid.field(field, _("包含无效的字符"))
    return name


def get_user_by_email(email: str) -> User | None:
    email = conform(rules.Email, email)
    if email is None:
        return None
    return db.session.scalar(db.select(User).where(User.email == email))


def create_organisation(name, kind, city, *, sme=False, high_tech=False, in_province=True,
                        credit_code=None, parent=None) -> Organisation:
    name = _check_name(name, "org_name", 120)
    if kind not in ORG_KINDS:
        raise Invalid.field("org_kind", _("未知的单位类型"))
    if city not in CITIES:
        raise Invalid.field("org_city", _("请选择江苏省的城市"))
    if db.session.scalar(db.select(Organisation.id).where(Organisation.name == name)):
        raise Invalid.field("org_name", _("该单位已注册，请向其管理员申请邀请"))
    is_ent = kind == "enterprise"
    org = Organisation(name=name, kind=kind, city=city, sme=bool(sme) and is_ent,
                       high_tech=bool(high_tech) and is_ent, in_province=bool(in_province),
                       credit_code=credit_code, parent_id=getattr(parent, "id", None))
    db.session.add(org)
    db.session.flush()
    return org


def create_user(email, name, password, *, organisation=None, org_admin=False, roles=(), verified=True) -> User:
    """An account with a password that passes the rules. verified: the address counts as confirmed
    (an operator's `users create`); self-service paths pass False and mail a link."""
    email = _clean_email(email)
    name = _check_name(name)
    rules.check_password(password)
    if get_user_by_email(email):
        raise Invalid.field("email", _("该邮箱已注册"))
    user = User(email=email, name=name, password_hash=hash_password(password),
                organisation=organisation, org_admin=org_admin, email_verified_at=utcnow() if verified else None)
    for role in roles:
        if role not in PLATFORM_ROLES:
            raise Invalid.field("roles", _("未知角色 %(role)s", role=role))
        user.role_rows.append(UserRole(role=role))
    db.session.add(user)
    db.session.flush()
    return user


# -- invitations and members ----------------------------------------------------------------------

def invite(org: Organisation, email, *, actor) -> tuple[Invitation, str]:
    """Invite a person to `org`; return the invitation and its secret (shown once)."""
    require_org_admin(actor, org.id)
    email = _clean_email(email)
    secret = secrets.token_urlsafe(24)
    inv = Invitation(organisation_id=org.id, email=email, token_hash=sha256(secret),
                     invited_by_id=actor.id, expires_at=utcnow() + timedelta(days=INVITATION_DAYS))
    db.session.add(inv)
    db.session.flush()
    audit.record("organisation", org.id, "invited", actor=actor, comment=email)
    return inv, secret


def invitation_for_secret(secret: str) -> Invitation:
    secret = conform(token(200), secret)
    if secret is None:
        raise NotFound(_("邀请链接无效或已过期"))
    inv = db.session.scalar(db.select(Invitation).where(Invitation.token_hash == sha256(secret)))
    if inv is None or inv.accepted_at is not None or inv.expires_at < utcnow():
        raise NotFound(_("邀请链接无效或已过期"))
    return inv


def set_member_admin(org: Organisation, member: User, is_admin: bool, *, actor) -> User:
    require_org_admin(actor, org.id)
    if member.organisation_id != org.id:
        raise NotFound(_("该用户不是本单位成员"))
    if not is_admin and member.org_admin:
        admins = db.session.scalar(db.select(db.func.count(User.id)).where(
            User.organisation_id == org.id, User.org_admin.is_(True)))
        if admins <= 1:
            raise Conflict(_("单位至少需要一名管理员"))
    member.org_admin = bool(is_admin)
    audit.record("user", member.id, "org_admin" if is_admin else "org_member", actor=actor)
    return member


def remove_member(org: Organisation, member: User, *, actor) -> None:
    require_org_admin(actor, org.id)
    if member.organisation_id != org.id:
        raise NotFound(_("该用户不是本单位成员"))
    if member.id == actor.id:
        raise Conflict(_("不能移除自己"))
    member.organisation_id = None
    member.org_admin = False
    audit.record("user", member.id, "removed_from_org", actor=actor, comment=str(org.id))


def grant_role(user: User, role: str, *, actor) -> None:
    require_role(actor, "admin")
    if role not in PLATFORM_ROLES:
        raise Invalid.field("role", _("未知角色"))
    if role not in user.roles:
        user.role_rows.append(UserRole(role=role))
        audit.record("user", user.id, f"grant_{role}", actor=actor)


# -- API tokens -----------------------------------------------------------------------------------

def create_api_token(user: User, name: str = "API") -> tuple[ApiToken, str]:
    """Create a personal token; return it with the secret, which is never stored or shown again."""
    name = _check_name(name or "API", "name")
    secret = "jsst_" + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, prefix=secret[:12], token_hash=sha256(secret))
    db.session.add(token)
    db.session.flush()
    audit.record("user", user.id, "api_token_created", actor=user, comment=token.prefix)
    return token, secret


def revoke_api_token(token_id: int, *, actor: User) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != actor.id:
        raise NotFound(_("令牌不存在"))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record("user", actor.id, "api_token_revoked", actor=actor, comment=token.prefix)
    return token


@functools.cache
def _token_lookup():
    """Built once per process (the hash is bound at execution): it runs on every API call."""
    return (db.select(ApiToken).where(ApiToken.token_hash == sa.bindparam("hash"))
            .options(joinedload(ApiToken.user).joinedload(User.role_rows)))


def user_for_token(secret: str) -> User | None:
    if not secret or len(secret) > 200:
        return None
    from ..token_cache import cached_user
    return cached_user(sha256(secret), lambda: _load_token_user(sha256(secret)))


def _load_token_user(token_hash: str) -> User | None:
    # One round trip for the token, its user and the user's roles (on a cache miss: see token_cache).
    token = db.session.scalar(_token_lookup(), {"hash": token_hash})
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    return token.user


def list_tokens(user: User) -> list[ApiToken]:
    return db.session.scalars(db.select(ApiToken).where(ApiToken.user_id == user.id)
                              .order_by(ApiToken.created_at.desc())).all()


@validated
def remember_language(language: Literal["zh", "en"], *, actor) -> User:
    """The interface language a signed-in person switched to: their notifications and mails follow it."""
    require_login(actor)
    actor.language = language
    db.session.flush()
    return actor
