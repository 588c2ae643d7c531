"""The registration API's payloads, declared once (parsing, 422 messages, answers and OpenAPI)."""
from datetime import date
from typing import Literal

from flask_babel import gettext as _
from pydantic import Field, ValidationError, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from ..core.schema import (
    Answer,
    CityCode,
    Day,
    Fen,
    Id,
    LocalTime,
    Schema,
    Text2000,
    Title,
    Uscc,
    invalid_from,
    text,
)
from ..core.timeutil import to_local, utcnow
from . import rules
from .reference import CONTRACT_TYPES, GROUNDS, IP_KINDS, NATURES, STAT_GROUPS, SUBTYPES, TECH_FIELDS
from .states import STATUSES

ContractType = Literal[tuple(CONTRACT_TYPES)]
Nature = Literal[tuple(NATURES)]
TechField = Literal[tuple(TECH_FIELDS)]
# The subtypes, enumerated in OpenAPI; which ones a contract type takes is checked with the type.
SUBTYPE_FIELD = {"json_schema_extra": {"enum": [*dict.fromkeys(k for v in SUBTYPES.values() for k in v), None]},
                 "description": "; ".join(f"{t}: {'|'.join(v) or 'none'}" for t, v in SUBTYPES.items())}
IpKind = Literal[tuple(IP_KINDS)]
GroundCode = Literal[tuple(GROUNDS)]
RegistrationStatus = Literal[tuple(STATUSES)]


class PartyIn(Schema):
    name: Title
    uscc: Uscc
    city_code: CityCode
    nature: Nature


class NonTechItemIn(Schema):
    name: Title
    amount: Fen


def _rule(message: str) -> PydanticCustomError:
    return PydanticCustomError("rule", message)


class ApplicationIn(Schema):
    """An application's fields, as the web form and the API give them; the services take this."""

    project_name: Title
    contract_type: ContractType
    subtype: text(30) | None = Field(default=None, validate_default=True, **SUBTYPE_FIELD)
    buyer: PartyIn
    seller: PartyIn
    signed_on: Day
    valid_until: Day
    tech_field: TechField
    ip_kind: IpKind
    total_amount: Fen = Field(description="合同成交额, fen")
    non_tech_items: list[NonTechItemIn] = Field(default_factory=list, max_length=50)
    document_ids: list[Id] = Field(default_factory=list, max_length=50)

    @field_validator("subtype")
    @classmethod
    def _subtype_of_the_type(cls, subtype, info: ValidationInfo):
        subtype = subtype or None
        if "contract_type" in info.data:
            problem = rules.subtype_error(info.data["contract_type"], subtype)
            if problem == "required":
                raise _rule(_("请选择合同子类型"))
            if problem == "unknown":
                raise _rule(_("该合同类型没有这个子类型"))
        return subtype

    @field_validator("signed_on")
    @classmethod
    def _signed_by_today(cls, signed_on):
        if signed_on > to_local(utcnow()).date():
            raise _rule(_("签订日期不能晚于今天"))
        return signed_on

    @field_validator("valid_until")
    @classmethod
    def _valid_after_signing(cls, valid_until, info: ValidationInfo):
        if "signed_on" in info.data and valid_until < info.data["signed_on"]:
            raise _rule(_("有效期不能早于签订日期"))
        return valid_until

    @field_validator("non_tech_items")
    @classmethod
    def _within_the_total(cls, items, info: ValidationInfo):
        if "total_amount" in info.data and rules.tech_amount(info.data["total_amount"], [i.amount for i in items]) < 0:
            raise _rule(_("非技术性款项合计超过合同成交额：技术交易额不能为负"))
        return items

    @field_validator("document_ids")
    @classmethod
    def _each_once(cls, ids):
        return sorted(set(ids))


class RegistrationIn(ApplicationIn):
    deal_id: Id | None = Field(default=None, description="a signed deal on the hub (pre-fills the fields)")
    kind: Literal["new", "amend", "cancel"] = Field(default="new", description="变更 (amend) / 注销 (cancel)")
    amends_id: Id | None = Field(default=None, description="the registered application amended or cancelled")


def application_in(data: dict) -> ApplicationIn:
    """`data` (a form's fields, an application's with a PATCH applied) as ApplicationIn, or Invalid
    naming each wrong field ("buyer.uscc", "non_tech_items.0.amount")."""
    try:
        return ApplicationIn.model_validate(data)
    except ValidationError as err:
        raise invalid_from(err) from None


class RegistrationPatch(Schema):
    """Fields to change in a draft or returned application; the others keep their values."""

    project_name: Title | None = None
    contract_type: ContractType | None = None
    subtype: text(30) | None = Field(default=None, **SUBTYPE_FIELD)
    buyer: PartyIn | None = None
    seller: PartyIn | None = None
    signed_on: Day | None = None
    valid_until: Day | None = None
    tech_field: TechField | None = None
    ip_kind: IpKind | None = None
    total_amount: Fen | None = None
    non_tech_items: list[NonTechItemIn] | None = Field(default=None, max_length=50)
    document_ids: list[Id] | None = Field(default=None, max_length=50)


class RegistrationReturnIn(Schema):
    comment: text(2000, 1)


class RegistrationApproveIn(Schema):
    comment: Text2000 | None = None


class RegistrationRefuseIn(Schema):
    grounds: list[GroundCode] = Field(max_length=len(GROUNDS))
    comment: Text2000 | None = None


class PartyOut(Answer):
    name: str
    uscc: str
    city_code: str
    nature: str


class NonTechItemOut(Answer):
    name: str
    amount: int = Field(description="fen")


class RegistrationOut(Answer):
    id: int
    kind: str
    amends_id: int | None
    deal_id: int | None
    applicant_org_id: int
    status: RegistrationStatus
    project_name: str
    contract_type: str
    subtype: str | None
    buyer: PartyOut
    seller: PartyOut
    signed_on: date
    valid_until: date
    tech_field: str
    ip_kind: str
    total_amount: int = Field(description="合同成交额, fen")
    non_tech_items: list[NonTechItemOut]
    tech_amount: int = Field(description="技术交易额 = total_amount − non-technical items, fen")
    document_ids: list[int]
    submitted_on: date | None
    due_on: date | None = Field(description="the registrar's deadline while submitted")
    due_provisional: bool = Field(description="the deadline runs past the published official calendar")
    number: str | None = Field(description="14-digit registration number once registered")
    check_code: str | None = Field(description="printed on the certificate; public verification asks for it")
    buyer_confirmed_at: LocalTime | None = Field(
        description="when the buyer confirmed (on the hub, by the cited deal, or in writing recorded by a "
                    "registrar); approval needs it")
    registered_on: date | None
    certificate_url: str | None
    vat_exempt: bool
    grounds: list[str]
    comment: str | None = Field(validation_alias="review_comment")
    created_at: LocalTime


class RegistrationVerifyQuery(Schema):
    code: str = Field(min_length=1, max_length=20, description="the check code printed on the certificate")


class RegistrationConfirmationIn(Schema):
    evidence: str = Field(min_length=1, max_length=500,
                          description="the buyer's written confirmation the registrar holds (letter, attachment)")


class RegistrationVerifyOut(Answer):
    number: str
    valid: bool
    status: str
    contract_type: str
    subtype: str | None
    buyer_name: str
    seller_name: str
    registered_on: date | None
    amended: bool
    vat_exempt: bool


class ContractStatsQuery(Schema):
    year: int | None = Field(default=None, ge=2000, le=2100)
    group_by: Literal[STAT_GROUPS] = "type"


class ContractStatsRow(Answer):
    key: str
    label: str
    count: int
    total_amount: int = Field(description="fen")
    tech_amount: int = Field(description="fen")


class ContractStatsTotals(Answer):
    count: int
    total_amount: int
    tech_amount: int


class ContractStatsOut(Answer):
    year: int
    group_by: str
    rows: list[ContractStatsRow]
    totals: ContractStatsTotals


class RegistrationQueueItem(Answer):
    id: int
    project_name: str
    contract_type: str
    seller_name: str
    tech_amount: int
    submitted_on: date | None
    due_on: date | None
    due_provisional: bool
    days_left: int


class RegistrationQueueOut(Answer):
    items: list[RegistrationQueueItem]
