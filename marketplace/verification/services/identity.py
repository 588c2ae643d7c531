"""An organisation's checked identity: USCC, legal name, legal representative."""
from flask_babel import gettext as _

from ...accounts.models import Organisation
from ...core.audit import record
from ...core.errors import Invalid, NotFound
from ...core.permissions import require_login, require_org_admin
from ...extensions import db
from .. import rules
from ..models import OrganisationIdentity, Qualification
from .messages import invalid, invalid_code


def get_organisation(org_id: int, *, actor) -> Organisation:
    """An organisation whose verification the actor may see: its members, reviewers and admins."""
    require_login(actor)
    org = db.session.get(Organisation, org_id) if 1 <= org_id <= 2**31 - 1 else None
    if org is None:
        raise NotFound(_("单位不存在"))
    from .qualifications import require_viewer
    require_viewer(org, actor=actor)
    return org


def identity_of(org) -> OrganisationIdentity | None:
    return db.session.get(OrganisationIdentity, org.id)


def _clean_name(value: str | None, field: str, max_length: int) -> str:
    text = " ".join((value or "").split())
    if not text:
        raise Invalid.field(field, _("必填"))
    if len(text) > max_length:
        raise Invalid.field(field, _("最多 %(n)s 个字符", n=max_length))
    if any(ord(c) < 32 or 0xD800 <= ord(c) <= 0xDFFF for c in text):
        raise Invalid.field(field, _("包含无效的字符"))
    return text


def set_identity(org, *, actor, uscc: str, legal_name: str, legal_rep: str,
                 legal_rep_id: str | None = None) -> OrganisationIdentity:
    """Record (or correct) the organisation's USCC, legal name and legal representative; its admin only.

    A USCC is held for real by the one organisation whose business licence was verified for it; until
    then anyone may type it, and the real unit claims it with its licence (a squatter's claim cannot be
    verified next to it). A changed USCC voids the verifications made for the old one (each claim
    remembers the USCC it was made under).
    """
    require_org_admin(actor, org.id)
    return _write_identity(org, uscc, legal_name, legal_rep, legal_rep_id, actor=actor)


def _write_identity(org, uscc, legal_name, legal_rep, legal_rep_id=None, *, actor) -> OrganisationIdentity:
    try:
        code = rules.parse_uscc(uscc)
        rep_id = rules.legal_rep_id_digest(legal_rep_id)
    except rules.RuleError as err:
        raise invalid(err) from None
    legal_name = _clean_name(legal_name, "legal_name", 120)
    legal_rep = _clean_name(legal_rep, "legal_rep", 60)
    # Taken only by an organisation whose business licence for this USCC a reviewer verified; an unverified
    # holder does not lock the real unit out: it registers too and proves the code with its licence.
    holder = db.session.scalar(db.select(Qualification.org_id).where(
        Qualification.kind == "in_province", Qualification.status == "verified", Qualification.number == code.code))
    if holder is not None and holder != org.id:
        raise invalid_code("uscc_taken", "uscc")
    ident = identity_of(org)
    before = ident.uscc if ident else None
    if ident is None:
        ident = OrganisationIdentity(org_id=org.id)
        db.session.add(ident)
    ident.uscc, ident.uscc_root = code.code, code.root
    ident.legal_name, ident.legal_rep = legal_name, legal_rep
    ident.legal_rep_key = rules.person_key(legal_rep)
    if legal_rep_id is not None or before != code.code:
        ident.legal_rep_id = rep_id
    ident.updated_by_id = getattr(actor, "id", None)
    org.credit_code = code.code
    db.session.flush()
    record("organisation_identity", org.id, "set" if before is None else "update", actor=actor,
           comment=f"{before or '-'} -> {code.code}; {legal_name}; {legal_rep}")
    return ident


def seed_identity(org, *, uscc: str, legal_name: str, legal_rep: str,
                  legal_rep_id: str | None = None) -> OrganisationIdentity:
    """The demo and the operator's CLI: the same checks, without an acting user."""
    return _write_identity(org, uscc, legal_name, legal_rep, legal_rep_id, actor=None)


def licence_verified(org_id: int) -> bool:
    """Whether a reviewer verified the organisation's business licence for its current USCC (its identity
    is then checked, not typed): what lets its members publish files (uploads.register_publisher_rule)."""
    ident = db.session.get(OrganisationIdentity, org_id)
    if ident is None:
        return False
    return db.session.scalar(db.select(Qualification.id).where(
        Qualification.org_id == org_id, Qualification.kind == "in_province", Qualification.status == "verified",
        Qualification.uscc == ident.uscc).limit(1)) is not None
