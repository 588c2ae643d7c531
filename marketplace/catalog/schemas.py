"""The resource API's payloads, generated from the one declaration of the ten types in `types.py`.

A type's own fields become pydantic fields with their limits (text length, integer range, money in
fen, choices), so adding a field to `types.py` adds it to parsing, the 422 messages, the answers and
/api/v1/openapi.json at once. Own fields may be sent flat or nested under `fields` (both as before).
"""
from datetime import date
from typing import Annotated, Any, Literal

from flask_babel import gettext as _
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ..core.errors import Invalid
from ..core.i18n import english
from ..core.reference import CITIES
from ..core.schema import Answer, AwareTime, Fen, LocalTime, Page, Schema, invalid_from, tagged_union, text
from . import taxonomy
from .states import REVISION_STATUSES
from .types import PLATFORMS, RESOURCE_TYPES, STATUSES
from .types import Field as TypeField

TypeKey = Literal[tuple(RESOURCE_TYPES)]
PlatformKey = Literal[tuple(PLATFORMS)]
City = Literal[tuple(CITIES)]
ResourceStatus = Literal[tuple(STATUSES)]

# The listing's common fields: name -> (type, required on create)
COMMON_FIELDS = {
    "title": (text(200, 1), True), "summary": (text(500), False), "description": (text(20000), False),
    "tags": (text(200), False), "discipline": (text(60), False), "contact_name": (text(60), False),
    "contact_phone": (text(30), False), "contact_email": (text(254), False),
    "city": (City, False),
    "platforms": (Annotated[list[PlatformKey], Field(min_length=1, max_length=len(PLATFORMS))], False),
}


NEVER_NULL = ("city", "platforms")


def _iso_date(value):
    if not isinstance(value, (str, date)):
        raise ValueError("date_type")
    return value


def _comma_list(value):
    return [v for v in value.split(",") if v] if isinstance(value, str) else value


def _joined(values: list) -> str:
    return ",".join(dict.fromkeys(values))  # stored as "a,b", each once, in the order chosen


def _plausible_day(value: date) -> date:
    if not date(1950, 1, 1) <= value <= date.today():
        raise PydanticCustomError("rule", _("日期不合理"))
    return value


def _blank_is_none(value):
    # A form's empty box (or an emptied list) clears an optional own field.
    return None if value == "" or value == [] else value


def own_field_type(f: TypeField):
    """The pydantic type of one declared field (its limits included)."""
    if f.kind == "str" and f.choices:  # a closed list of names (the instrument classification)
        return Literal[tuple(f.choices)]
    if f.kind in ("str", "text"):
        return text(f.max_len, 1 if f.required else 0)
    if f.kind == "money":
        return Fen
    if f.kind == "int":
        return Annotated[int, Field(strict=True, ge=f.min, le=f.max)]
    if f.kind == "bool":
        return Annotated[bool, Field(strict=True)]
    if f.kind == "date":
        return Annotated[date, BeforeValidator(_iso_date), AfterValidator(_plausible_day)]
    if f.kind == "choice":
        return Literal[tuple(f.choices)]
    if f.kind == "multi":
        return Annotated[list[Literal[tuple(f.choices)]], BeforeValidator(_comma_list), AfterValidator(_joined)]
    raise ValueError(f"unsupported field kind {f.kind}")


class _ResourceBody(Schema):
    """Own fields flat or under `fields`; anything else is an unknown field (422), not ignored."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _flatten(cls, data: Any):
        if isinstance(data, dict) and isinstance(data.get("fields"), dict):
            data = {**{k: v for k, v in data.items() if k != "fields"}, **data["fields"]}
        return data

    @field_validator("platforms", check_fields=False)
    @classmethod
    def _each_platform_once(cls, platforms):
        return None if platforms is None else list(dict.fromkeys(platforms))

    @field_validator("category_l2", "category_l3", check_fields=False)
    @classmethod
    def _one_category_path(cls, value, info: ValidationInfo):
        """The instrument's categories are one path of the classification (checked when the first
        level is sent with them)."""
        levels = {n: info.data.get(f"category_l{n}") for n in (1, 2)}
        if value is None or levels[1] is None:
            return value
        level = 2 if info.field_name == "category_l2" else 3
        bad = taxonomy.path_error(levels[1], value if level == 2 else levels[2], value if level == 3 else None)
        if bad is not None:
            raise PydanticCustomError("rule", _("二级分类不属于所选一级分类") if bad[1] == "l2"
                                      else _("三级分类不属于所选二级分类"))
        return value

    @field_validator("amount_max", check_fields=False)
    @classmethod
    def _range_in_order(cls, high, info: ValidationInfo):
        low = info.data.get("amount_min")
        if high is not None and low is not None and low > high:
            raise PydanticCustomError("rule", _("上限不能低于下限"))
        return high


def _camel(key: str) -> str:
    return "".join(part.capitalize() for part in key.split("_"))


def _no_default(schema: dict) -> None:
    schema.pop("default", None)


def _field(kind, required: bool, partial: bool, description: str = "", blank_clears: bool = False):
    """Required fields refuse null; optional ones accept it (cleared), and an own field's empty value
    too. In a PATCH nothing is required, and a sent null is refused for required fields (the default
    None is never validated)."""
    extra = {"description": description} if description else {}
    if required:
        # "Not sent" is not a value: the None default stays out of the OpenAPI document (an enum
        # such as city's would not list it).
        return (kind, Field(None, json_schema_extra=_no_default, **extra)) if partial else (kind, Field(..., **extra))
    if blank_clears:
        return (Annotated[kind | None, BeforeValidator(_blank_is_none)], Field(None, **extra))
    return (kind | None, Field(None, **extra))


def _body_model(spec, partial: bool):
    fields: dict = {"fields": (dict[str, Any] | None, Field(None, description="own fields, nested (optional)"))}
    if not partial:
        fields["type"] = (Literal[spec.key], ...)
    for name, (kind, required) in COMMON_FIELDS.items():
        # city and platforms may be left out (the owner's city, the type's platforms) but never cleared:
        # like a required field in a PATCH, a sent null is refused.
        fields[name] = _field(kind, required or name in NEVER_NULL, partial or name in NEVER_NULL)
    for f in spec.fields:
        label = english(f.zh) + (" (fen)" if f.kind == "money" else "")
        fields[f.name] = _field(own_field_type(f), f.required and f.kind != "bool", partial, label, blank_clears=True)
    name = f"{_camel(spec.key)}{'Patch' if partial else 'In'}"
    return create_model(name, __base__=_ResourceBody, __doc__=f"{english(spec.name_zh)} ({spec.name_zh})", **fields)


RESOURCE_IN = {key: _body_model(spec, partial=False) for key, spec in RESOURCE_TYPES.items()}
RESOURCE_PATCH = {key: _body_model(spec, partial=True) for key, spec in RESOURCE_TYPES.items()}

ResourceIn = tagged_union("ResourceIn", RESOURCE_IN.values(), "type",
                          doc="A new listing: `type` chooses its own fields (money in fen).")


def _patch_properties(schema: dict) -> None:
    # Documented: the common fields and every type's own fields (each applies to its type only).
    props: dict = {}
    for key, model in RESOURCE_PATCH.items():
        for name, prop in model.model_json_schema()["properties"].items():
            prop.pop("default", None)  # "not sent" is not a value (a required field's null is refused)
            if name not in props and name not in COMMON_FIELDS and name != "fields":
                prop = {**prop, "description": f"{prop.get('description', '')} [{key}]".strip()}
            props.setdefault(name, prop)
    schema["properties"] = props


class ResourcePatch(Schema):
    """Changed fields of a listing: its type's own fields flat or under `fields`; the type cannot change.
    The body is checked against the resource's own type (`RESOURCE_PATCH[type]`, generated like the rest)."""

    model_config = ConfigDict(extra="allow", json_schema_extra=_patch_properties)


class ResourceReasonIn(Schema):
    reason: text(500) | None = Field(None, description="required to reject")


def patch_values(type_key: str, body: dict) -> dict:
    """The PATCH body checked against the resource's type: the sent fields, typed (pydantic errors -> 422)."""
    model = RESOURCE_PATCH[type_key].model_validate(body)
    return model.model_dump(exclude_unset=True, exclude={"fields"})


def listing_values(type_key: str, data: dict, partial: bool = False) -> dict:
    """A listing's values (a form's, the API's, a seeder's) checked against its type: the sent ones,
    typed and trimmed, or Invalid naming each wrong field. The one check of a listing's values."""
    if type_key not in RESOURCE_TYPES:
        raise Invalid.field("type", _("未知的资源类型"))
    try:
        model = (RESOURCE_PATCH[type_key] if partial else RESOURCE_IN[type_key]).model_validate(
            data if partial else {**data, "type": type_key})
    except ValidationError as err:
        raise invalid_from(err) from None
    return model.model_dump(exclude_unset=True, exclude={"type", "fields"})


def in_values(body) -> tuple[str, dict]:
    """A validated ResourceIn as (type, the sent fields)."""
    model = body.root
    return model.type, model.model_dump(exclude_unset=True, exclude={"type", "fields"})


# -- answers ------------------------------------------------------------------------------------------

class OwnerOut(Answer):
    id: int
    name: str


class ResourceItem(Answer):
    """A resource in a list."""

    id: int
    type: TypeKey
    title: str
    summary: str | None
    city: str | None
    status: ResourceStatus
    platforms: list[str]
    owner: OwnerOut
    tags: list[str]
    discipline: str | None
    published_at: LocalTime | None
    updated_at: LocalTime | None
    cstr: str | None = Field(None, description="the persistent identifier (CSTR form), once published")


class ResourceOut(ResourceItem):
    """One resource with its own fields (money in fen, dates YYYY-MM-DD, multiple choices as lists)."""

    description: str | None
    contact_name: str | None
    contact_phone: str | None
    contact_email: str | None
    reject_reason: str | None
    created_at: LocalTime | None
    fields: dict[str, Any]
    auction: dict[str, Any] | None = Field(None, description="listing_mode auction: {id, status, terms} of /auctions/ID")


def _own_values(resource) -> dict:
    out = {}
    for f in resource.spec.fields:
        value = getattr(resource, f.name)
        if f.kind == "date" and value is not None:
            value = value.isoformat()
        elif f.kind == "multi":
            value = [v for v in (value or "").split(",") if v]
        out[f.name] = value
    return out


def resource_out(resource, detail: bool = True) -> ResourceItem:
    common = {name: getattr(resource, name) for name in ResourceItem.model_fields
              if name not in ("owner", "tags", "platforms")}
    common.update(owner=OwnerOut(id=resource.owner_org_id, name=resource.owner.name),
                  tags=resource.tag_list(), platforms=resource.platforms)
    if not detail:
        return ResourceItem(**common)
    from .answers import answer_fields  # fields filled by the domains above (catalog.answers)
    more = {name: getattr(resource, name, None) for name in ResourceOut.model_fields
            if name not in ResourceItem.model_fields and name != "fields"}
    return ResourceOut(**{**common, **more, **answer_fields(resource)}, fields=_own_values(resource))


class RevisionChange(Answer):
    old: Any = Field(description="the published value (money in fen)")
    new: Any = Field(description="the value waiting for review")


class ResourceRevisionOut(Answer):
    """A material edit of a published listing: it becomes public when a reviewer approves it."""

    id: int
    resource_id: int
    status: Literal[tuple(REVISION_STATUSES)]
    changes: dict[str, RevisionChange]
    submitted_by_id: int | None
    submitted_at: LocalTime | None
    decided_at: LocalTime | None
    reason: str | None


def revision_out(revision) -> ResourceRevisionOut:
    return ResourceRevisionOut(
        id=revision.id, resource_id=revision.resource_id, status=revision.status,
        changes={n: RevisionChange(old=revision.previous.get(n), new=v) for n, v in revision.changes.items()},
        submitted_by_id=revision.submitted_by_id, submitted_at=revision.created_at,
        decided_at=revision.decided_at, reason=revision.reason)


class ResourceRevisionPage(Page):
    items: list[ResourceRevisionOut]


class ResourceRevisionQuery(Schema):
    type: TypeKey | None = None
    page: Annotated[int, Field(ge=1, le=1_000_000)] = 1
    per_page: Annotated[int, Field(ge=1, le=1_000_000)] | None = Field(None, description="at most 100 are returned")


class ResourcePage(Page):
    items: list[ResourceItem]


class ResourceQuery(Schema):
    type: TypeKey | None = None
    platform: PlatformKey | None = None
    city: City | None = None
    org: Annotated[int, Field(ge=1, le=2**31 - 1)] | None = Field(None, description="organisation id")
    updated_since: AwareTime | None = Field(
        None, description="only resources changed at or after this time (ISO 8601 with offset), oldest change "
                          "first; withdrawals are not listed here: OAI-PMH (/oai) reports them as deleted records")
    page: Annotated[int, Field(ge=1, le=1_000_000)] = 1
    per_page: Annotated[int, Field(ge=1, le=1_000_000)] | None = Field(None, description="at most 100 are returned")


class FieldOut(Answer):
    name: str
    name_zh: str
    name_en: str
    kind: Literal["str", "text", "int", "money", "date", "choice", "bool", "multi"]
    required: bool
    choices: list[str] | None = None
    min: int | None = None
    max: int | None = None


class ResourceTypeOut(Answer):
    key: TypeKey
    name_zh: str
    name_en: str
    platforms: list[PlatformKey]
    fields: list[FieldOut]


class ResourceTypeList(Answer):
    items: list[ResourceTypeOut]


class PlatformOut(Answer):
    key: PlatformKey
    name_zh: str
    name_en: str
    description_zh: str
    description_en: str
    resource_types: list[TypeKey]


class PlatformList(Answer):
    items: list[PlatformOut]


def resource_types_out() -> ResourceTypeList:
    return ResourceTypeList(items=[ResourceTypeOut(
        key=t.key, name_zh=t.name_zh, name_en=english(t.name_zh), platforms=list(t.platforms),
        fields=[FieldOut(name=f.name, name_zh=f.zh, name_en=english(f.zh), kind=f.kind, required=f.required,
                         choices=list(f.choices) if f.choices else None,
                         min=f.min if f.min is not None else None, max=f.max if f.min is not None else None)
                for f in t.fields]) for t in RESOURCE_TYPES.values()])


def platforms_out() -> PlatformList:
    return PlatformList(items=[PlatformOut(
        key=k, name_zh=v[0], name_en=english(v[0]), description_zh=v[1], description_en=english(v[1]),
        resource_types=[t.key for t in RESOURCE_TYPES.values() if k in t.platforms]) for k, v in PLATFORMS.items()])


__all__ = ["RESOURCE_IN", "RESOURCE_PATCH", "ResourceIn", "ResourceItem", "ResourceOut", "ResourcePage",
           "ResourcePatch", "ResourceQuery", "ResourceReasonIn", "ResourceRevisionOut", "ResourceRevisionPage",
           "ResourceRevisionQuery", "in_values", "patch_values", "platforms_out", "resource_out",
           "resource_types_out", "revision_out"]
