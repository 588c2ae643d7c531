"""The accounts' endpoints for the forms' pickers: GET /api/v1/organisations/suggest (organisations by name
or USCC) and GET /api/v1/users/suggest (one organisation's people by name or e-mail)."""
from pydantic import Field

from ..accounts.lookup import masked_email, suggest_organisations, suggest_people
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


class PeopleQuery(Schema):
    q: str = Field("", max_length=200, description="part of the name, or the start of the e-mail address")
    org_id: int = Field(ge=1, le=2**31 - 1, description="the organisation whose people are suggested")
    limit: int = Field(8, ge=1, le=20)


class PersonSuggestion(Answer):
    id: int
    title: str = Field(description="what the picker shows: name · masked e-mail")
    name: str


class PeopleSuggestions(Answer):
    items: list[PersonSuggestion]


@endpoint("/users/suggest", query=PeopleQuery, answer=PeopleSuggestions, errors=(401, 422), tags=["organisations"])
def people_suggest(query: PeopleQuery):
    """Active people of organisation `org_id` by name or e-mail start (two characters at least; signed-in
    users). Addresses come back masked."""
    rows = suggest_people(query.q, query.org_id, actor=require_login(api_actor()), limit=query.limit)
    return PeopleSuggestions(items=[PersonSuggestion(id=u.id, name=u.name, title=f"{u.name} · {masked_email(u.email)}")
                                    for u in rows])
