"""Self-service accounts: registering an organisation, accepting an invitation, confirming the address.

Registration never tells whether an e-mail address has an account: the form is checked in full either
way (inside a savepoint that is rolled back when the address is taken), the password is hashed either
way, and the answer is the same page. The owner of a taken address gets a mail saying someone tried.
"""
import secrets

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ...core import audit
from ...core.errors import Forbidden, Invalid
from ...core.i18n import Message as _l
from ...core.timeutil import utcnow
from ...extensions import db
from .. import rules
from ..models import User
from .core import (
    _check_name,
    _clean_email,
    create_organisation,
    create_user,
    get_user_by_email,
    hash_password,
    invitation_for_secret,
)
from .links import queue_mail, send_verification


def _collect(*checks) -> dict:
    errors = {}
    for check in checks:
        try:
            check()
        except Invalid as err:
            errors.update(err.errors)
    return errors


def register(*, email, name, password, org_name, org_kind, org_city, uscc, legal_name, legal_rep,
             language: str = "zh") -> User | None:
    """Register a person with a new organisation (they become its admin) and its checked identity.

    `language` is the interface language the person signed up in (their notifications and mails use it).
    Returns the new, unverified user (a verification mail is queued), or None when the address already
    has an account (that account is mailed instead); callers answer both the same way.
    """
    errors = _collect(lambda: _clean_email(email), lambda: _check_name(name), lambda: rules.check_password(password))
    if errors:
        raise Invalid(_("请检查填写的内容"), errors)
    from ...verification import rules as vrules
    from ...verification.services import set_identity

    existing = get_user_by_email(email)
    savepoint = db.session.begin_nested()
    try:
        org = create_organisation(org_name, org_kind, org_city)
        # A taken address is checked all the same, as a stand-in account thrown away with the savepoint.
        address = _clean_email(email) if existing is None else f"registration-check-{secrets.token_hex(8)}@invalid"
        user = User(email=address, name=_check_name(name), password_hash=hash_password(password),
                    organisation_id=org.id, org_admin=True, email_verified_at=None,
                    language="en" if language == "en" else "zh")
        db.session.add(user)
        try:
            db.session.flush()
        except IntegrityError:  # the same address registered by a concurrent request: it is taken now
            savepoint.rollback()
            return None
        ident = set_identity(org, actor=user, uscc=uscc, legal_name=legal_name, legal_rep=legal_rep)
        org.in_province = vrules.parse_uscc(ident.uscc).in_province  # registered in Jiangsu (32…)
        org.sme = org.high_tech = False  # claimed later with evidence (verification), never ticked here
        db.session.flush()
    except BaseException:
        savepoint.rollback()
        raise
    if existing is not None:
        savepoint.rollback()
        _mail_taken_address(existing)
        return None
    savepoint.commit()
    audit.record("organisation", org.id, "registered", actor=user)
    send_verification(user)
    return user


def _mail_taken_address(user: User) -> None:
    queue_mail(user, _l("有人尝试用您的邮箱注册"), _l(
        "您好，%(name)s：\n\n有人刚刚尝试用这个邮箱在平台注册新账号。这个邮箱已经有账号了，"
        "如果是您本人，请直接登录：\n%(login)s\n\n忘记密码的话，可以在这里重置：\n%(forgot)s\n\n"
        "如果不是您本人，请忽略这封邮件，您的账号没有任何变化。",
        name=user.name, login=url_for("accounts.login", _external=True),
        forgot=url_for("accounts.forgot_password", _external=True)))


def accept_invitation(secret: str, *, name, password, actor=None, language: str = "zh") -> User:
    """Create the invited address's account (exactly that address) in the inviting organisation.

    A logged-in person with another address cannot accept it. The account starts unverified: the
    link was handed over by the organisation's admin, not proven to reach the mailbox.
    """
    inv = invitation_for_secret(secret)
    if actor is not None and getattr(actor, "is_authenticated", False) and actor.email != inv.email:
        raise Forbidden(_("这份邀请发给了 %(email)s，当前登录的账号不能接受", email=inv.email))
    user = create_user(inv.email, name, password, organisation=inv.organisation, verified=False)
    user.language = "en" if language == "en" else "zh"
    inv.accepted_at = utcnow()
    audit.record("organisation", inv.organisation_id, "joined", actor=user)
    send_verification(user)
    return user


def resend_verification(*, actor) -> None:
    if actor.email_verified_at is None:
        send_verification(actor)
