"""Who may see and do what with a registration (one place: services enforce it, pages draw from it)."""
from ...core.db import find
from ...core.errors import NotFound
from ...core.permissions import require_login
from ..models import ContractRegistration
from ..states import APPLICANT_ACTIONS, MACHINE, REGISTRAR_ACTIONS

REGISTRAR_ROLE = "reviewer"  # reviewers register contracts (DOMAIN.md "Who uses it")


def _signed_in(*, actor) -> bool:
    return bool(actor is not None and getattr(actor, "is_authenticated", False))


def is_registrar(*, actor) -> bool:
    return _signed_in(actor=actor) and actor.has_role(REGISTRAR_ROLE)


def is_applicant(reg: ContractRegistration, *, actor) -> bool:
    """A member of the applying organisation."""
    return _signed_in(actor=actor) and actor.organisation_id is not None and actor.organisation_id == reg.applicant_org_id


def can_view(reg: ContractRegistration, *, actor) -> bool:
    """The applicant, registrars, and the buyer named once the application is submitted (to confirm it)."""
    from .confirmation import is_buyer
    return is_applicant(reg, actor=actor) or is_registrar(actor=actor) or (
        reg.status != "draft" and is_buyer(reg, actor=actor))


def allowed_actions(reg: ContractRegistration, *, actor) -> list[str]:
    """What the actor may do now: the applicant submits; a registrar who is not of the applying organisation
    returns, refuses, and approves once the buyer confirmed; the buyer confirms (services.confirmation)."""
    from .confirmation import confirmation_actions, needs_buyer
    applicant, registrar = is_applicant(reg, actor=actor), is_registrar(actor=actor)
    actions = MACHINE.available(reg, lambda a: (a in APPLICANT_ACTIONS and applicant)
                                or (a in REGISTRAR_ACTIONS and registrar and not applicant
                                    and not (a == "approve" and needs_buyer(reg))))
    return actions + confirmation_actions(reg, actor=actor)


def get_registration(registration_id, *, actor, for_update: bool = False) -> ContractRegistration:
    """The registration if the actor may see it; else 404, revealing nothing. `for_update` locks the
    row (PostgreSQL) so that two registrars cannot decide the same application at once."""
    require_login(actor)
    reg = find(ContractRegistration, registration_id, with_for_update=for_update or None,
               populate_existing=for_update)
    if reg is None or not can_view(reg, actor=actor):
        from flask_babel import gettext as _
        raise NotFound(_("登记申请不存在"))
    return reg
