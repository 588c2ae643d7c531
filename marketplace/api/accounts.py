"""The accounts' endpoints: GET /api/v1/organisations/suggest, organisations by name or USCC, for the forms' organisation pickers."""
from pydantic import Field

from ..accounts.lookup import suggest_organisations
from ..core.i18n import tr
from ..core.permissions import require_login
from ..core.schema import Answer, Schema
from .common import api_actor
from .spec import endpoint


class OrganisationQuery(Schema):
    q: str = Field("", max_length=200, description="part of the name, or the start of the USCC")
    limit: int = Field(10, ge=1, le=20)


class OrganisationSuggestion(Answer):
    id: int
    title: str = Field(description="what the picker shows: name · city")
    name: str
    city: str
    uscc: str | None


class OrganisationSuggestions(Answer):
    items: list[OrganisationSuggestion]


@endpoint("/organisations/suggest", query=OrganisationQuery, answer=OrganisationSuggestions, errors=(401, 422),
          tags=["organisations"])
def organisation_suggest(query: OrganisationQuery):
    """Organisations whose name contains `q` or whose USCC starts with it (signed-in users)."""
    rows = suggest_organisations(query.q, actor=require_login(api_actor()), limit=query.limit)
    return OrganisationSuggestions(items=[OrganisationSuggestion(
        id=o.id, name=o.name, city=tr(o.city) or "", uscc=o.credit_code,
        title=f"{o.name} · {tr(o.city)}" if o.city else o.name) for o in rows])
