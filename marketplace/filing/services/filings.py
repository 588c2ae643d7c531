"""The filing application: who may see and do what, create, save (any time), submit (checks all).
The review steps are in review.py."""
import sqlalchemy as sa
from flask_babel import gettext as _

from ...core import audit
from ...core.errors import Conflict, Forbidden, Invalid, NotFound
from ...core.permissions import require_login
from ...core.reference import CITIES
from ...core.timeutil import to_local, utcnow
from ...extensions import db
from ...uploads.services import require_uploads
from .. import rules
from ..models import Firm, FirmDocument, FirmManager
from ..states import ACTION_SOURCES, ADMIN_ACTIONS, APPLICANT_ACTIONS, EDITABLE, FILING, LEVELS, REVIEWER_ACTIONS
from . import notify

OPEN = ("draft", "submitted", "under_review", "returned", "approved", "suspended")
BASIC_FIELDS = ("name", "uscc", "legal_rep", "city", "address", "founded_on", "business_scope", "premises_m2")
MANAGER_FIELDS = ("name", "email", "id_number", "certificate_no", "level", "degree")
MAX_MANAGERS = 50


def _clean(field: str, value):
    """Text as stored: NUL characters are refused (PostgreSQL cannot store them)."""
    if "\x00" in str(value):
        raise Invalid.field(field, _("不能包含 NUL 字符"))
    return value


# -- who is who -------------------------------------------------------------------------------------

def is_firm_side(firm: Firm, user) -> bool:
    """The applicant, or a member of the firm's organisation."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return firm.applicant_id == user.id or (firm.org_id is not None and user.is_member_of(firm.org_id))


def may_edit(firm: Firm, user) -> bool:
    """The applicant, or an admin of the firm's organisation."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return firm.applicant_id == user.id or (firm.org_id is not None and user.is_admin_of(firm.org_id))


def is_reviewer(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.has_role("reviewer")


def is_admin(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.has_role("admin")


def sees_private(firm: Firm, user) -> bool:
    """ID numbers, documents and review comments: the firm side and reviewers only."""
    return is_firm_side(firm, user) or is_reviewer(user)


def id_number_for(manager, *, actor) -> str:
    """A manager's ID number in full to its holder and to reviewers; masked to everyone else (colleagues
    and the firm's admin included: they see whose it is, not the number)."""
    if not manager.id_number:
        return ""
    holder = actor is not None and getattr(actor, "is_authenticated", False) and (
        manager.user_id == actor.id or (manager.email and manager.email == (actor.email or "").lower()))
    return manager.id_number if holder or is_reviewer(actor) else rules.mask_id_number(manager.id_number)


def may_read_document(upload, user) -> bool:
    """Uploads attached to a filing may be read by the firm's side (e.g. colleagues in its organisation)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    firms = db.session.scalars(sa.select(Firm).join(FirmDocument, FirmDocument.firm_id == Firm.id)
                               .where(FirmDocument.upload_id == upload.id))
    return any(is_firm_side(f, user) for f in firms)


def allowed_actions(firm: Firm, *, actor) -> list[str]:
    def permitted(action):
        if action in ACTION_SOURCES and firm.status not in ACTION_SOURCES[action]:
            return False
        if action in APPLICANT_ACTIONS:
            return may_edit(firm, actor)
        if action in REVIEWER_ACTIONS:
            return is_reviewer(actor)
        if action in ADMIN_ACTIONS:
            return is_admin(actor)
        return False
    return FILING.available(firm, permitted)


def _require_action(firm, action, *, actor):
    require_login(actor)
    if action not in allowed_actions(firm, actor=actor):
        if (action in APPLICANT_ACTIONS and may_edit(firm, actor)) or \
                (action in REVIEWER_ACTIONS and is_reviewer(actor)) or (action in ADMIN_ACTIONS and is_admin(actor)):
            raise Conflict(_("当前状态（%(status)s）不能执行此操作", status=firm.status))
        raise Forbidden(_("没有权限执行此操作"))


def get_filing(firm_id: int, *, actor) -> Firm:
    """A filing its firm side or a reviewer may see (404 for anyone else: drafts are not disclosed)."""
    firm = db.session.get(Firm, firm_id) if 1 <= firm_id <= 2**31 - 1 else None
    if firm is None or not sees_private(firm, actor):
        raise NotFound(_("备案申请不存在"))
    return firm


def filings_of(user) -> list[Firm]:
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    cond = Firm.applicant_id == user.id
    if user.organisation_id:
        cond = sa.or_(cond, Firm.org_id == user.organisation_id)
    return list(db.session.scalars(sa.select(Firm).where(cond).order_by(Firm.id.desc())))


# -- application --------------------------------------------------------------------------------------

def create_filing(data: dict | None = None, *, actor) -> Firm:
    """Start a filing. A person without an organisation files for a new firm; the admin of a
    service-firm organisation files for it. One open filing per person or organisation."""
    require_login(actor)
    org = actor.organisation
    if org is not None and not (org.kind == "service_firm" and actor.is_admin_of(org.id)):
        raise Forbidden(_("只有未加入单位的个人或服务机构的管理员可以申请备案"))
    cond = Firm.applicant_id == actor.id
    if org is not None:
        cond = sa.or_(cond, Firm.org_id == org.id)
    if db.session.scalar(sa.select(Firm.id).where(cond, Firm.status.in_(OPEN)).limit(1)):
        raise Conflict(_("已有进行中的备案申请或有效备案"))
    firm = Firm(status="draft", applicant_id=actor.id, org_id=getattr(org, "id", None))
    if org is not None:
        firm.name, firm.city, firm.uscc = org.name, org.city, org.credit_code or ""
    db.session.add(firm)
    db.session.flush()
    audit.record("filing", firm.id, "create", actor=actor, to_state="draft")
    if data:
        update_filing(firm, data, actor=actor)
    return firm


def update_filing(firm: Firm, data: dict, *, actor) -> Firm:
    """Save what was given (a draft may be incomplete); `managers` and `document_ids` replace the lists.
    Values are checked for type and length here, and for completeness and check digits on submit."""
    require_login(actor)
    if not may_edit(firm, actor):
        raise Forbidden(_("没有权限修改此备案申请"))
    if firm.status not in EDITABLE:
        raise Conflict(_("只有草稿或退回的申请可以修改"))
    for field in BASIC_FIELDS:
        if field in data:
            value = _clean(field, data[field])
            if field == "city" and value not in (None, "") and value not in CITIES:
                raise Invalid.field("city", _("请选择江苏省的城市"))
            if field == "uscc" and value:
                value = rules.clean_uscc(value)
            if field in ("city", "founded_on", "premises_m2") and value == "":
                value = None
            setattr(firm, field, value if value is not None or field in ("city", "founded_on", "premises_m2") else "")
    if data.get("managers") is not None:
        managers = data["managers"]
        if len(managers) > MAX_MANAGERS:
            raise Invalid.field("managers", _("最多 %(n)s 名技术经理人", n=MAX_MANAGERS))
        rows = []
        # a masked number sent back unchanged (the form shows colleagues' numbers masked) keeps the stored one
        stored = {rules.mask_id_number(m.id_number): m.id_number for m in firm.managers if m.id_number}
        for i, m in enumerate(managers):
            if m.get("id_number") in stored:
                m = {**m, "id_number": stored[m["id_number"]]}
            for key, value in m.items():
                _clean(f"managers.{i}.{key}", value)
            if m.get("level") not in (None, "") and m["level"] not in LEVELS:
                raise Invalid.field(f"managers.{i}.level", _("不是可选的值"))
            rows.append(FirmManager(
                position=i, name=m.get("name") or "", email=(m.get("email") or "").strip().lower(),
                id_number=rules.clean_id_number(m.get("id_number") or "") if m.get("id_number") else "",
                certificate_no=m.get("certificate_no") or "", level=m.get("level") or None,
                degree=m.get("degree") or ""))
        firm.managers = rows
    if data.get("document_ids") is not None:
        attached = set(firm.document_ids)
        wanted = []
        for raw in data["document_ids"]:
            if raw not in wanted:
                wanted.append(raw)
        foreign = [i for i in wanted if i not in attached]
        require_uploads(foreign, actor=actor, field="document_ids")
        firm.document_rows = [FirmDocument(upload_id=uid, position=i) for i, uid in enumerate(wanted)]
    firm.updated_at = utcnow()
    db.session.flush()
    return firm


def _as_dicts(firm):
    basic = {f: getattr(firm, f) for f in BASIC_FIELDS}
    managers = [{f: getattr(m, f) for f in MANAGER_FIELDS} for m in firm.managers]
    return basic, managers


def _active_elsewhere(firm: Firm) -> dict[str, list[str]]:
    """Managers already active technology managers of another firm (by ID number or e-mail)."""
    errors: dict[str, list[str]] = {}
    for i, m in enumerate(firm.managers):
        conds = [FirmManager.id_number == m.id_number] if m.id_number else []
        if m.email:
            conds.append(FirmManager.email == m.email)
        if not conds:
            continue
        other = db.session.scalar(sa.select(Firm.name).join(FirmManager, FirmManager.firm_id == Firm.id).where(
            FirmManager.active.is_(True), Firm.id != firm.id, sa.or_(*conds)).limit(1))
        if other:
            errors.setdefault(f"managers.{i}.id_number", []).append(
                _("此人已是“%(firm)s”的在册技术经理人", firm=other))
    return errors


def submit_filing(firm: Firm, *, actor) -> Firm:
    """Submit (or resubmit after a return): every field complete and checked."""
    _require_action(firm, "submit", actor=actor)
    basic, managers = _as_dicts(firm)
    errors = rules.submission_errors(basic, managers, len(firm.document_rows), to_local(utcnow()).date())
    for field, messages in _active_elsewhere(firm).items():
        errors.setdefault(field, []).extend(messages)
    if firm.uscc and "uscc" not in errors and db.session.scalar(sa.select(Firm.id).where(
            Firm.uscc == firm.uscc, Firm.id != firm.id, Firm.status.in_(OPEN[1:])).limit(1)):
        errors["uscc"] = [_("该统一社会信用代码已有备案申请或有效备案")]
    if errors:
        raise Invalid(_("备案申请不完整或有误，请检查标出的内容"), errors)
    FILING.apply(firm, "submitted", actor=actor, action="submit")
    firm.submitted_at = utcnow()
    db.session.flush()
    notify.transition(firm, "submitted")
    return firm
