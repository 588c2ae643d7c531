"""Review of a filing: start, return with comments per section, approve (number, organisation, managers
active), reject; admins suspend, reinstate, revoke. Every transition goes through the state machine
(audited) and is notified."""
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from ...accounts.models import Invitation, Organisation, User
from ...core import audit
from ...core.errors import Conflict, Forbidden, Invalid
from ...core.i18n import Message as _l
from ...core.permissions import require_login
from ...core.timeutil import to_local, utcnow
from ...extensions import db
from ..models import Firm, FirmComment, FirmManager
from ..states import FILING, SECTIONS
from . import notify
from .filings import _active_elsewhere, _clean, _require_action, is_reviewer, submit_filing
from .numbers import issue_number

# -- review -------------------------------------------------------------------------------------------

def start_review(firm: Firm, *, actor) -> Firm:
    _require_action(firm, "start-review", actor=actor)
    FILING.apply(firm, "under_review", actor=actor, action="start-review")
    notify.transition(firm, "under_review")
    return firm


def return_filing(firm: Firm, comments: dict[str, str], *, actor) -> Firm:
    """Return for correction with comments per section (basic, managers, documents, general)."""
    _require_action(firm, "return", actor=actor)
    cleaned = {}
    for section, text in (comments or {}).items():
        if section not in SECTIONS:
            raise Invalid.field("comments", _("未知的部分：%(s)s", s=section))
        if text and _clean("comments", text).strip():
            cleaned[section] = text.strip()
    if not cleaned:
        raise Invalid.field("comments", _("请至少填写一条退回意见"))
    firm.review_round += 1
    for section in SECTIONS:
        if section in cleaned:
            db.session.add(FirmComment(firm_id=firm.id, round=firm.review_round, section=section,
                                       body=cleaned[section], author_id=actor.id))
    summary = "\n".join(f"{SECTIONS[s]}: {t}" for s, t in cleaned.items())
    FILING.apply(firm, "returned", actor=actor, comment=summary, action="return")
    db.session.flush()
    notify.transition(firm, "returned", summary)
    return firm


def current_comments(firm: Firm) -> dict[str, list[FirmComment]]:
    """The comments of the latest return, by section (shown next to the fields while returned)."""
    out: dict[str, list[FirmComment]] = {}
    for c in firm.comments:
        if c.round == firm.review_round:
            out.setdefault(c.section, []).append(c)
    return out


def _activate_managers(firm: Firm, *, actor) -> None:
    errors = _active_elsewhere(firm)
    if errors:
        raise Conflict(_("有技术经理人已在其他事务所在册，不能批准"), errors)
    for m in firm.managers:
        user = db.session.scalar(sa.select(User).where(User.email == m.email)) if m.email else None
        if user is not None and user.email_verified_at is None:
            # An account nobody proved reaches the address is not linked: whoever verifies it later is
            # matched by e-mail then (brokers.active_broker_firm); a squatter never can.
            user = None
            m.active = True
            continue
        if user is not None:
            m.user_id = user.id
            if user.organisation_id is None and firm.org_id:
                user.organisation_id = firm.org_id
        elif m.email and firm.org_id:
            _invite(firm, m)
        m.active = True
    try:
        db.session.flush()
    except sa.exc.IntegrityError:  # a concurrent approval activated the same person first
        raise Conflict(_("有技术经理人已在其他事务所在册，不能批准")) from None


def _invite(firm: Firm, manager: FirmManager) -> None:
    """A manager without an account is invited to the firm's organisation (the link goes by e-mail)."""
    from flask import has_request_context, url_for

    from ...accounts.services import _sha256
    from ...core.jobs import enqueue
    from ...notifications.services import deliver_mail
    secret = secrets.token_urlsafe(24)
    db.session.add(Invitation(organisation_id=firm.org_id, email=manager.email, token_hash=_sha256(secret),
                              invited_by_id=firm.applicant_id, expires_at=utcnow() + timedelta(days=30)))
    link = url_for("accounts.accept_invitation", secret=secret, _external=True) if has_request_context() \
        else f"/invitations/{secret}"
    language = firm.applicant.language if firm.applicant is not None else "zh"  # the person has no account yet
    enqueue(deliver_mail, manager.email, language, _l("技术经理人账号邀请"),
            _l("您已作为技术经理人列入“%(firm)s”的备案。请通过以下链接创建账号：\n%(link)s", firm=firm.name, link=link))


def _create_organisation(firm: Firm) -> None:
    """A firm filed by a person without an organisation becomes a service-firm organisation, with
    the applicant as its admin."""
    if firm.org_id is not None:
        return
    applicant = firm.applicant
    if applicant is None:
        raise Conflict(_("申请人账号已不存在"))
    if applicant.organisation_id is not None:
        raise Conflict(_("申请人已加入其他单位，不能自动创建事务所单位"))
    if db.session.scalar(sa.select(Organisation.id).where(Organisation.name == firm.name)):
        raise Conflict(_("已有同名单位“%(name)s”", name=firm.name))
    org = Organisation(name=firm.name, kind="service_firm", city=firm.city, credit_code=firm.uscc,
                       in_province=firm.uscc.startswith("32"))
    db.session.add(org)
    db.session.flush()
    firm.org_id = org.id
    applicant.organisation_id = org.id
    applicant.org_admin = True
    audit.record("organisation", org.id, "created_by_filing", actor=applicant, comment=firm.name)


def approve_filing(firm: Firm, *, actor, comment: str | None = None) -> Firm:
    """Approve: issue the year's next filing number, create the organisation if needed, make the
    managers active brokers."""
    _require_action(firm, "approve", actor=actor)
    _clean("comment", comment)
    FILING.apply(firm, "approved", actor=actor, comment=comment, action="approve")
    _create_organisation(firm)
    now = utcnow()
    issue_number(firm, to_local(now).year)
    firm.approved_at = firm.decided_at = now
    _activate_managers(firm, actor=actor)
    notify.transition(firm, "approved", comment)
    return firm


def _reason(reason, field="reason") -> str:
    if not reason or not str(reason).strip():
        raise Invalid.field(field, _("请填写理由"))
    _clean(field, reason)
    return str(reason).strip()


def reject_filing(firm: Firm, *, actor, reason: str) -> Firm:
    _require_action(firm, "reject", actor=actor)
    firm.reject_reason = _reason(reason)
    FILING.apply(firm, "rejected", actor=actor, comment=firm.reject_reason, action="reject")
    firm.decided_at = utcnow()
    notify.transition(firm, "rejected", firm.reject_reason)
    return firm


def _deactivate(firm: Firm) -> None:
    for m in firm.managers:
        m.active = False
    db.session.flush()


def suspend_firm(firm: Firm, *, actor, reason: str) -> Firm:
    """Suspend (admin, with a reason): the managers stop being active brokers."""
    _require_action(firm, "suspend", actor=actor)
    return _suspend(firm, _reason(reason), actor=actor)


def _suspend(firm: Firm, reason: str, *, actor) -> Firm:
    firm.suspend_reason = reason
    FILING.apply(firm, "suspended", actor=actor, comment=reason, action="suspend")
    _deactivate(firm)
    notify.transition(firm, "suspended", reason)
    return firm


def reinstate_firm(firm: Firm, *, actor, comment: str | None = None) -> Firm:
    _require_action(firm, "reinstate", actor=actor)
    _clean("comment", comment)
    FILING.apply(firm, "approved", actor=actor, comment=comment, action="reinstate")
    firm.suspend_reason = None
    _activate_managers(firm, actor=actor)
    notify.transition(firm, "reinstated", comment)
    return firm


def revoke_firm(firm: Firm, *, actor, reason: str) -> Firm:
    _require_action(firm, "revoke", actor=actor)
    reason = _reason(reason)
    FILING.apply(firm, "revoked", actor=actor, comment=reason, action="revoke")
    firm.decided_at = utcnow()
    _deactivate(firm)
    notify.transition(firm, "revoked", reason)
    return firm


ACTIONS = {
    "submit": lambda f, actor, **kw: submit_filing(f, actor=actor),
    "start-review": lambda f, actor, **kw: start_review(f, actor=actor),
    "return": lambda f, actor, comments=None, **kw: return_filing(f, comments or {}, actor=actor),
    "approve": lambda f, actor, comment=None, **kw: approve_filing(f, actor=actor, comment=comment),
    "reject": lambda f, actor, reason=None, **kw: reject_filing(f, actor=actor, reason=reason),
    "suspend": lambda f, actor, reason=None, **kw: suspend_firm(f, actor=actor, reason=reason),
    "reinstate": lambda f, actor, comment=None, **kw: reinstate_firm(f, actor=actor, comment=comment),
    "revoke": lambda f, actor, reason=None, **kw: revoke_firm(f, actor=actor, reason=reason),
}


def review_queue(*, actor, status: str | None = None, city: str | None = None, q: str | None = None):
    """Filings waiting for reviewers (submitted, under review, returned by default), oldest first."""
    require_login(actor)
    if not is_reviewer(actor):
        raise Forbidden(_("只有审核员可以查看备案审核队列"))
    stmt = sa.select(Firm)
    if status:
        stmt = stmt.where(Firm.status == status)
    else:
        stmt = stmt.where(Firm.status.in_(("submitted", "under_review", "returned")))
    if city:
        stmt = stmt.where(Firm.city == city)
    if q:
        stmt = stmt.where(sa.or_(Firm.name.contains(q, autoescape=True), Firm.uscc.contains(q, autoescape=True)))
    return stmt.order_by(sa.func.coalesce(Firm.submitted_at, Firm.created_at), Firm.id)
