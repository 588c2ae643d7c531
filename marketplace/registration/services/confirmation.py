"""The other party confirms: a registrar approves an application only once its buyer confirmed the
contract it names (who registered a contract naming a company as buyer cannot make it so alone).

- A member of the buyer confirms on the hub: an organisation whose checked USCC is the buyer's and whose
  business licence a reviewer verified (a USCC typed by a squatter confirms nothing).
- An application citing a signed deal is confirmed by that deal: the buyer signed its terms on the hub,
  and the application declares the deal's parties and amount (applications._check_cited_deal).
- A buyer no organisation on the hub holds a verified licence for (out of province, not registered):
  the registrar records its written confirmation with the evidence; a buyer on the hub confirms itself.
Editing an application (a correction after return) voids the confirmation of the old text.
"""
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from ...core.audit import record
from ...core.errors import Conflict, Forbidden, Invalid
from ...core.permissions import require_login
from ...core.timeutil import utcnow
from ...extensions import db
from ..models import ContractRegistration
from ..states import MACHINE

__all__ = ["buyer_on_hub", "confirm_as_buyer", "confirmation_actions", "is_buyer", "needs_buyer",
           "record_buyer_confirmation", "waiting_for_us"]

MAX_EVIDENCE = 500


def _signed_in(*, actor) -> bool:
    return bool(actor is not None and getattr(actor, "is_authenticated", False))


def _verified_holder(uscc: str) -> int | None:
    """The organisation whose business licence for this USCC a reviewer verified (one at most)."""
    from ...verification.models import OrganisationIdentity, Qualification
    return db.session.scalar(sa.select(Qualification.org_id).join(
        OrganisationIdentity, OrganisationIdentity.org_id == Qualification.org_id).where(
        Qualification.kind == "in_province", Qualification.status == "verified", Qualification.number == uscc,
        OrganisationIdentity.uscc == uscc).limit(1))


def buyer_on_hub(reg: ContractRegistration) -> bool:
    return _verified_holder(reg.buyer_uscc) is not None


def is_buyer(reg: ContractRegistration, *, actor) -> bool:
    """A member of the organisation that verifiably holds the buyer's USCC (not the applicant itself)."""
    if not _signed_in(actor=actor) or actor.organisation_id is None or actor.organisation_id == reg.applicant_org_id:
        return False
    return _verified_holder(reg.buyer_uscc) == actor.organisation_id


def needs_buyer(reg: ContractRegistration) -> bool:
    """Whether the application still waits for the buyer (a cancellation changes nothing of theirs)."""
    return reg.kind != "cancel" and reg.buyer_confirmed_at is None


def confirmation_actions(reg: ContractRegistration, *, actor) -> list[str]:
    """confirm: the buyer's member may confirm; record-confirmation: a registrar may record an off-hub one."""
    if reg.status != "submitted" or not needs_buyer(reg):
        return []
    if is_buyer(reg, actor=actor):
        return ["confirm"]
    from .access import is_applicant, is_registrar
    if is_registrar(actor=actor) and not is_applicant(reg, actor=actor) and not buyer_on_hub(reg):
        return ["record-confirmation"]
    return []


def _confirm(reg: ContractRegistration, *, actor, now: datetime | None, comment: str):
    reg.buyer_confirmed_at = now or utcnow()
    reg.buyer_confirmed_by_id = getattr(actor, "id", None)
    record(MACHINE.entity, reg.id, "confirm-buyer", actor=actor, comment=comment)
    db.session.flush()
    return reg


def confirm_as_buyer(reg: ContractRegistration, *, actor, now: datetime | None = None) -> ContractRegistration:
    """The buyer's member confirms the submitted application: these are the contract's parties and figures."""
    require_login(actor)
    if not is_buyer(reg, actor=actor):
        raise Forbidden(_("只有合同买方（营业执照已核验的单位）的成员可以确认"))
    if "confirm" not in confirmation_actions(reg, actor=actor):
        raise Conflict(_("该申请现在不需要买方确认"))
    return _confirm(reg, actor=actor, now=now, comment=reg.buyer_name)


def record_buyer_confirmation(reg: ContractRegistration, *, actor, evidence: str,
                              now: datetime | None = None) -> ContractRegistration:
    """A registrar records the written confirmation of a buyer that cannot confirm on the hub."""
    require_login(actor)
    from .access import is_registrar
    if not is_registrar(actor=actor):
        raise Forbidden(_("只有登记员可以记录买方的书面确认"))
    if "record-confirmation" not in confirmation_actions(reg, actor=actor):
        raise Conflict(_("买方已在平台核验，须由买方自己确认") if buyer_on_hub(reg) and needs_buyer(reg)
                       else _("该申请现在不需要买方确认"))
    evidence = " ".join((evidence or "").split())
    if not evidence:
        raise Invalid.field("evidence", _("请写明买方书面确认的依据（如确认函及其附件）"))
    if len(evidence) > MAX_EVIDENCE:
        raise Invalid.field("evidence", _("最多 %(n)s 个字符", n=MAX_EVIDENCE))
    return _confirm(reg, actor=actor, now=now, comment=_("书面确认：%(evidence)s", evidence=evidence))


def confirm_from_deal(reg: ContractRegistration, *, actor, now: datetime | None = None):
    """At submission: an application citing a signed deal is confirmed by the deal the buyer signed."""
    if reg.kind == "new" and reg.deal_id is not None and reg.buyer_confirmed_at is None:
        _confirm(reg, actor=actor, now=now, comment=_("买方已在交易 #%(id)s 中签署", id=reg.deal_id))


def waiting_for_us(*, actor):
    """Submitted applications naming the actor's organisation as buyer, not yet confirmed (a query)."""
    from ...verification.services import identity_of
    org = getattr(actor, "organisation", None) if _signed_in(actor=actor) else None
    ident = identity_of(org) if org is not None else None
    if ident is None or _verified_holder(ident.uscc) != org.id:
        return None
    return sa.select(ContractRegistration).where(
        ContractRegistration.status == "submitted", ContractRegistration.kind != "cancel",
        ContractRegistration.buyer_confirmed_at.is_(None), ContractRegistration.buyer_uscc == ident.uscc,
        ContractRegistration.applicant_org_id != org.id)
