"""Qualification claims and their review: claim, withdraw, verify, reject, revoke."""
from datetime import date

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ...accounts.models import User, UserRole
from ...core.audit import record
from ...core.errors import Forbidden, Invalid, NotFound
from ...core.i18n import Message as _l
from ...core.permissions import require_login, require_member
from ...core.timeutil import to_local, utcnow
from ...extensions import db
from ...notifications.services import notify
from ...uploads.services import require_uploads
from .. import rules
from ..models import Qualification, QualificationDocument
from ..signals import qualification_claimed, qualification_decided
from ..states import KINDS, MEMBER_ACTIONS, QUALIFICATION, REASON_REQUIRED, REVIEWER_ACTIONS
from .identity import identity_of
from .messages import invalid, invalid_code

MAX_DOCUMENTS = 10


def today() -> date:
    """The day in Jiangsu (validity is by local calendar day)."""
    return to_local(utcnow()).date()


def is_reviewer(*, actor) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False) and actor.has_role("reviewer")


def require_viewer(org, *, actor):
    """The organisation's members, reviewers and admins see its verification."""
    require_login(actor)
    if not (actor.is_member_of(org.id) or is_reviewer(actor=actor)):
        raise Forbidden(_("您无权查看该单位的认证信息"))


def get_qualification(qualification_id: int, *, actor) -> Qualification:
    require_login(actor)
    q = db.session.get(Qualification, qualification_id) if 1 <= qualification_id <= 2**31 - 1 else None
    if q is None or not (actor.is_member_of(q.org_id) or is_reviewer(actor=actor)):
        raise NotFound(_("资质申报不存在"))
    return q


def qualifications_of(org) -> list[Qualification]:
    return db.session.scalars(db.select(Qualification).where(Qualification.org_id == org.id)
                              .order_by(Qualification.created_at.desc(), Qualification.id.desc())).all()


def claim_qualification(org, *, actor, kind: str, number: str | None, document_ids,
                        issued_on: date | None = None, valid_until: date | None = None) -> Qualification:
    """A member claims a qualification for the organisation, with evidence documents (uploads)."""
    require_member(actor, org.id)
    if kind not in KINDS:
        raise invalid_code("kind", "kind")
    ident = identity_of(org)
    if ident is None:
        raise invalid_code("no_identity", "number")
    try:
        validity = rules.claim_validity(kind, number, uscc=ident.uscc, today=today(), issued_on=issued_on,
                                        valid_until=valid_until)
    except rules.RuleError as err:
        raise invalid(err) from None
    if len(document_ids or []) > MAX_DOCUMENTS:
        raise Invalid.field("document_ids", _("最多 %(n)s 个附件", n=MAX_DOCUMENTS))
    uploads = require_uploads(document_ids, actor=actor)
    if not uploads:
        raise invalid_code("documents_required", "document_ids")
    open_claim = db.session.scalar(db.select(Qualification.id).where(
        Qualification.org_id == org.id, Qualification.kind == kind, Qualification.number == validity.number,
        Qualification.uscc == ident.uscc, Qualification.status.in_(("claimed", "verified"))))
    if open_claim is not None:
        raise invalid_code("duplicate", "number")
    if _verified_elsewhere(kind, validity.number, org.id):
        raise invalid_code("number_verified_elsewhere", "number")
    q = Qualification(org_id=org.id, kind=kind, status="claimed", number=validity.number, uscc=ident.uscc,
                      valid_from=validity.valid_from, valid_until=validity.valid_until, claimed_by_id=actor.id)
    q.document_rows = [QualificationDocument(upload_id=u.id, position=i) for i, u in enumerate(uploads)]
    db.session.add(q)
    db.session.flush()
    record("qualification", q.id, "claim", actor=actor, to_state="claimed", comment=f"{kind} {validity.number}")
    _notify_reviewers(q)
    qualification_claimed.send(q, actor=actor)
    return q


def _verified_elsewhere(kind: str, number: str, org_id: int) -> bool:
    return db.session.scalar(db.select(Qualification.id).where(
        Qualification.kind == kind, Qualification.number == number, Qualification.status == "verified",
        Qualification.org_id != org_id)) is not None


def allowed_actions(q: Qualification, *, actor) -> list[str]:
    """The actions the actor may take on q now (pages draw their buttons from this)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return []

    def permitted(action):
        if action in MEMBER_ACTIONS:
            return actor.is_member_of(q.org_id)
        if action in REVIEWER_ACTIONS:  # nobody reviews their own organisation's claims
            return is_reviewer(actor=actor) and not actor.is_member_of(q.org_id)
        return False

    return QUALIFICATION.available(q, permitted)


def _decide(q: Qualification, action: str, *, actor, reason: str | None = None) -> Qualification:
    require_login(actor)
    if action not in allowed_actions(q, actor=actor):
        if action in REVIEWER_ACTIONS and not (is_reviewer(actor=actor) and not actor.is_member_of(q.org_id)):
            raise Forbidden(_("只有其他单位的审核员可以审核资质申报"))
        if action in MEMBER_ACTIONS and not actor.is_member_of(q.org_id):
            raise Forbidden(_("只有本单位成员可以撤回申报"))
    reason = (reason or "").strip() or None
    if action in REASON_REQUIRED and not reason:
        raise invalid_code("reason_required", "reason")
    target = QUALIFICATION.actions[action]
    if action == "verify":
        if q.valid_until is not None and q.valid_until < today():
            raise invalid_code("expired", "valid_until")
        if _verified_elsewhere(q.kind, q.number, q.org_id):
            raise invalid_code("number_verified_elsewhere", "number")
    values = {}
    if action in REVIEWER_ACTIONS:
        values.update(decided_by_id=actor.id, decided_at=utcnow())
    if action in REASON_REQUIRED:
        values["reason"] = reason  # the table requires it with the status
    try:
        QUALIFICATION.apply(q, target, actor=actor, comment=reason, action=action, **values)
    except IntegrityError:  # the partial unique index: the same number verified concurrently elsewhere
        raise invalid_code("number_verified_elsewhere", "number") from None
    if action in REVIEWER_ACTIONS:
        _notify_organisation(q, action)
    qualification_decided.send(q, actor=actor)
    return q


def verify_qualification(q: Qualification, *, actor, comment: str | None = None) -> Qualification:
    return _decide(q, "verify", actor=actor, reason=comment)


def reject_qualification(q: Qualification, *, actor, reason: str | None) -> Qualification:
    return _decide(q, "reject", actor=actor, reason=reason)


def revoke_qualification(q: Qualification, *, actor, reason: str | None) -> Qualification:
    return _decide(q, "revoke", actor=actor, reason=reason)


def withdraw_qualification(q: Qualification, *, actor) -> Qualification:
    return _decide(q, "withdraw", actor=actor)


def review_queue(page: int = 1, per_page: int = 50, *, actor):
    """Claims waiting for a decision, oldest first (reviewers)."""
    require_login(actor)
    if not is_reviewer(actor=actor):
        raise Forbidden(_("只有审核员可以查看审核队列"))
    q = db.select(Qualification).where(Qualification.status == "claimed").order_by(
        Qualification.created_at, Qualification.id)
    return db.paginate(q, page=page, per_page=per_page, error_out=False)


def _link(q) -> str:
    return f"/verification/qualifications/{q.id}"


def _notify_reviewers(q: Qualification):
    reviewers = db.session.scalars(db.select(User).join(UserRole).where(
        UserRole.role == "reviewer", User.active.is_(True))).all()
    for user in reviewers:
        if not user.is_member_of(q.org_id):
            notify(user, _l("新的资质认定申报：%(org)s", org=q.organisation.name),
                   _l("%(org)s 申报了“%(kind)s”（编号 %(number)s），请审核。", org=q.organisation.name,
                     kind=_l(KINDS[q.kind]), number=q.number), _link(q))


def _notify_organisation(q: Qualification, action: str):
    users = {u.id: u for u in db.session.scalars(db.select(User).where(
        User.organisation_id == q.org_id, User.active.is_(True), User.org_admin.is_(True)))}
    claimant = db.session.get(User, q.claimed_by_id) if q.claimed_by_id else None
    if claimant is not None and claimant.active and claimant.organisation_id == q.org_id:
        users[claimant.id] = claimant
    if action == "verify":
        subject = _l("资质已核验：%(kind)s", kind=_l(KINDS[q.kind]))
        body = _l("您单位申报的“%(kind)s”（编号 %(number)s）已核验，此后的预约按核验后的补贴比例计算。",
                 kind=_l(KINDS[q.kind]), number=q.number)
    else:
        subject = _l("资质未通过：%(kind)s", kind=_l(KINDS[q.kind])) if action == "reject" else \
            _l("资质已撤销：%(kind)s", kind=_l(KINDS[q.kind]))
        body = _l("您单位的“%(kind)s”（编号 %(number)s）：%(reason)s", kind=_l(KINDS[q.kind]), number=q.number,
                 reason=q.reason)
    for user in users.values():
        notify(user, subject, body, _link(q))

