"""Partner platforms (admins): settings, harvests and their reports. The open catalogue itself is not
JSON: /oai (OAI-PMH), /catalog.jsonld (DCAT), /cstr/ID."""
from ..core.permissions import require_role
from ..federation import services
from ..federation.schemas import (
    HarvestList,
    HarvestOut,
    HarvestQueued,
    PartnerIn,
    PartnerList,
    PartnerOut,
    PartnerPatch,
)
from .common import api_actor
from .spec import endpoint

ERRORS = (401, 403, 404, 422)


def _out(partner, counts=None) -> PartnerOut:
    counts = counts if counts is not None else services.record_counts()
    return PartnerOut.model_validate(partner).model_copy(update={"records": counts.get(partner.id, 0)})


def _staff():
    return require_role(api_actor(), services.STAFF)


@endpoint("/partners", answer=PartnerList, errors=(401, 403), tags=["federation"])
def list_partners():
    """The partner platforms we harvest."""
    _staff()
    counts = services.record_counts()
    return PartnerList(items=[_out(p, counts) for p in services.list_partners()])


@endpoint("/partners", "POST", body=PartnerIn, answer=PartnerOut, status=201, errors=ERRORS, tags=["federation"])
def add_partner(json: PartnerIn):
    """Add a partner platform (its OAI-PMH base URL, region, format, schedule)."""
    return _out(services.add_partner(json, actor=_staff())), 201


@endpoint("/partners/<int:id>", answer=PartnerOut, errors=(401, 403, 404), tags=["federation"])
def get_partner(id):
    _staff()
    return _out(services.get_partner(id))


@endpoint("/partners/<int:id>", "PATCH", body=PartnerPatch, answer=PartnerOut, errors=ERRORS, tags=["federation"])
def patch_partner(id, json: PartnerPatch):
    """Change a partner's settings; a new base URL or format makes the next harvest a full one."""
    actor = _staff()
    partner = services.get_partner(id)
    data = services.patch_values(partner, json.model_dump(exclude_unset=True))
    return _out(services.update_partner(partner, data, actor=actor))


@endpoint("/partners/<int:id>/harvest", "POST", answer=HarvestQueued, status=202, errors=(401, 403, 404),
          tags=["federation"])
def harvest_partner(id):
    """Harvest now, as a background job; its report appears in /partners/ID/harvests."""
    actor = _staff()
    partner = services.get_partner(id)
    services.request_harvest(partner, actor=actor)
    return HarvestQueued(partner_id=partner.id), 202


@endpoint("/partners/<int:id>/harvests", answer=HarvestList, errors=(401, 403, 404), tags=["federation"])
def partner_harvests(id):
    """The partner's last 20 harvest reports, newest first."""
    _staff()
    return HarvestList(items=[HarvestOut.model_validate(r) for r in services.reports(services.get_partner(id))])
