"""Technology-contract registration (技术合同认定登记) and its statistics over the registration services."""
from ..accounts.throttle import limiter
from ..core.errors import NotFound
from ..core.permissions import require_login
from ..registration import services
from ..registration.schemas import (
    ContractStatsOut,
    ContractStatsQuery,
    RegistrationApproveIn,
    RegistrationConfirmationIn,
    RegistrationIn,
    RegistrationOut,
    RegistrationPatch,
    RegistrationQueueItem,
    RegistrationQueueOut,
    RegistrationRefuseIn,
    RegistrationReturnIn,
    RegistrationVerifyOut,
    RegistrationVerifyQuery,
)
from ..registration.services.stats import contract_stats
from ..registration.services.verify import verify_limit
from .common import api_actor
from .spec import endpoint

ERRORS = (401, 403, 404, 409, 422)
TAGS = ["contract-registrations"]


def _out(reg):
    return RegistrationOut.model_validate(reg)


@endpoint("/contract-registrations", "POST", body=RegistrationIn, answer=RegistrationOut, status=201,
          errors=ERRORS, tags=TAGS)
def create_contract_registration(json: RegistrationIn):
    """A draft application by the seller side (`kind` amend/cancel with `amends_id` changes a registered one)."""
    actor = require_login(api_actor())
    reg = services.create_application(json, actor=actor, kind=json.kind, amends_id=json.amends_id,
                                      deal_id=json.deal_id)
    return _out(reg), 201, {"Location": f"/api/v1/contract-registrations/{reg.id}"}


@endpoint("/contract-registrations/queue", answer=RegistrationQueueOut, errors=(401, 403), tags=TAGS)
def contract_registration_queue():
    """The registrar's queue: submitted applications with working days left, overdue first."""
    rows = services.queue(actor=require_login(api_actor()))
    return RegistrationQueueOut(items=[RegistrationQueueItem.model_validate(
        {**{k: getattr(reg, k) for k in RegistrationQueueItem.model_fields if k != "days_left"}, "days_left": left})
        for reg, left in rows])


@endpoint("/contract-registrations/<int:id>", answer=RegistrationOut, errors=(401, 404), tags=TAGS)
def get_contract_registration(id):
    """An application (its organisation's members and registrars)."""
    return _out(services.get_registration(id, actor=require_login(api_actor())))


@endpoint("/contract-registrations/<int:id>", "PATCH", body=RegistrationPatch, answer=RegistrationOut,
          errors=ERRORS, tags=TAGS)
def patch_contract_registration(id, json: RegistrationPatch):
    """Change fields of a draft or returned application."""
    actor = require_login(api_actor())
    reg = services.get_registration(id, actor=actor)
    fields = services.application_in({**services.fields_of(reg), **json.model_dump(exclude_unset=True)})
    return _out(services.update_application(reg, fields, actor=actor))


@endpoint("/contract-registrations/<int:id>/submit", "POST", answer=RegistrationOut, errors=ERRORS, tags=TAGS)
def submit_contract_registration(id):
    """Submit (or resubmit after 补正); sets `due_on` in working days."""
    actor = require_login(api_actor())
    return _out(services.submit_application(services.get_registration(id, actor=actor), actor=actor))


@endpoint("/contract-registrations/<int:id>/return", "POST", body=RegistrationReturnIn, answer=RegistrationOut,
          errors=ERRORS, tags=TAGS)
def return_contract_registration(id, json: RegistrationReturnIn):
    """A registrar returns the application for correction (补正); the clock stops."""
    actor = require_login(api_actor())
    reg = services.get_registration(id, for_update=True, actor=actor)
    return _out(services.return_application(reg, actor=actor, comment=json.comment))


@endpoint("/contract-registrations/<int:id>/approve", "POST", body=RegistrationApproveIn, answer=RegistrationOut,
          errors=ERRORS, tags=TAGS)
def approve_contract_registration(id, json: RegistrationApproveIn):
    """A registrar registers the contract: sets `number` (14 digits) and `certificate_url`."""
    actor = require_login(api_actor())
    reg = services.get_registration(id, for_update=True, actor=actor)
    return _out(services.approve_application(reg, actor=actor, comment=json.comment))


@endpoint("/contract-registrations/<int:id>/refuse", "POST", body=RegistrationRefuseIn, answer=RegistrationOut,
          errors=ERRORS, tags=TAGS)
def refuse_contract_registration(id, json: RegistrationRefuseIn):
    """A registrar refuses with one or more `grounds` (`other` requires a `comment`)."""
    actor = require_login(api_actor())
    reg = services.get_registration(id, for_update=True, actor=actor)
    return _out(services.refuse_application(reg, actor=actor, grounds=json.grounds, comment=json.comment))


@endpoint("/contract-registrations/verify/<number>", query=RegistrationVerifyQuery, answer=RegistrationVerifyOut,
          errors=(404, 422, 429), tags=TAGS)
@limiter.shared_limit(verify_limit, scope="registration-verify")
def verify_contract_registration(number, query: RegistrationVerifyQuery):
    """Public: is this a registered contract (parties' names, type; no amounts), given its number and the
    check code printed on the certificate; 404 for an unknown number or a wrong code, 429 past
    REGISTRATION_VERIFY_LIMIT look-ups per address (shared with the verify page)."""
    reg = services.find_by_number(number, query.code)
    if reg is None:
        from flask_babel import gettext as _
        raise NotFound(_("没有这个登记编号，或校验码不符"))
    return RegistrationVerifyOut.model_validate(services.public_facts(reg))


@endpoint("/contract-registrations/<int:id>/confirm", "POST", answer=RegistrationOut, errors=ERRORS, tags=TAGS)
def confirm_contract_registration(id):
    """The buyer's member confirms a submitted application naming its organisation as buyer (a registrar
    approves only confirmed applications)."""
    actor = require_login(api_actor())
    reg = services.get_registration(id, for_update=True, actor=actor)
    return _out(services.confirm_as_buyer(reg, actor=actor))


@endpoint("/contract-registrations/<int:id>/record-confirmation", "POST", body=RegistrationConfirmationIn,
          answer=RegistrationOut, errors=ERRORS, tags=TAGS)
def record_contract_registration_confirmation(id, json: RegistrationConfirmationIn):
    """A registrar records the written confirmation of a buyer no organisation on the hub verifiably is."""
    actor = require_login(api_actor())
    reg = services.get_registration(id, for_update=True, actor=actor)
    return _out(services.record_buyer_confirmation(reg, actor=actor, evidence=json.evidence))


@endpoint("/stats/contracts", query=ContractStatsQuery, answer=ContractStatsOut, errors=(422,), tags=["statistics"])
def contract_statistics(query: ContractStatsQuery):
    """Public: registered contracts, 合同成交额 and 技术交易额 of a year by type, field, city, nature or month."""
    year = query.year or services.today_local().year
    return ContractStatsOut.model_validate(contract_stats(year, query.group_by))
