"""The filing API's payloads (CONTRACT.md "filing"), declared once."""
from datetime import date
from typing import Annotated, Literal

from pydantic import Field

from ..core.reference import CITIES
from ..core.schema import Answer, Day, Id, LocalTime, Schema, text
from .states import FILING, LEVELS, REPORT, SECTIONS

FilingStatus = Literal[tuple(FILING.states)]
Level = Literal[tuple(LEVELS)]
City = Literal[tuple(CITIES)]
Section = Literal[tuple(SECTIONS)]
Count = Annotated[int, Field(strict=True, ge=0, le=10_000_000)]
Amount = Annotated[int, Field(strict=True, ge=0, le=10**15, description="CNY fen")]
Year = Annotated[int, Field(strict=True, ge=2000, le=2999)]


class FilingManagerIn(Schema):
    name: text(60) = ""
    email: text(254) = Field("", description="links the manager to an account (existing, or invited at approval)")
    id_number: text(20) = Field("", description="resident ID number (GB 11643); never shown publicly")
    certificate_no: text(60) = ""
    level: Level | None = None
    degree: text(40) = ""


class FilingIn(Schema):
    """Every field may be left out of a draft; submission checks them all."""

    firm_name: text(120) | None = None
    uscc: text(30) | None = None
    legal_rep: text(60) | None = None
    city: City | None = None
    address: text(200) | None = None
    founded_on: Day | None = None
    business_scope: text(2000) | None = None
    premises_m2: Count | None = None
    managers: list[FilingManagerIn] | None = Field(None, max_length=50)
    document_ids: list[Id] | None = Field(None, max_length=20)

    def changes(self) -> dict:
        """The fields the client sent, named as the service names them."""
        data = self.model_dump(include=self.model_fields_set)
        if "firm_name" in data:
            data["name"] = data.pop("firm_name")
        return data


class FilingActionIn(Schema):
    comment: text(2000) | None = None
    reason: text(2000) | None = Field(None, description="reject, suspend, revoke: required")
    comments: dict[Section, text(2000)] | None = Field(None, description="return: comments per section")


class FilingManagerOut(Answer):
    name: str
    email: str
    id_number: str
    certificate_no: str
    level: str | None
    degree: str
    active: bool


class FilingCommentOut(Answer):
    round: int
    section: str
    body: str
    created_at: LocalTime


class FilingOut(Answer):
    id: int
    status: FilingStatus
    number: str | None
    firm_name: str
    uscc: str
    legal_rep: str
    city: str | None
    address: str
    founded_on: date | None
    business_scope: str
    premises_m2: int | None
    managers: list[FilingManagerOut]
    document_ids: list[int]
    comments: list[FilingCommentOut]
    reject_reason: str | None
    suspend_reason: str | None
    submitted_at: LocalTime | None
    approved_at: LocalTime | None
    actions: list[str] = Field(description="what the caller may do next")

    @classmethod
    def of(cls, firm, actions, id_number=lambda manager: manager.id_number) -> "FilingOut":
        """`id_number(manager)`: what the caller may see of each number (services.id_number_for)."""
        data = {name: getattr(firm, name) for name in cls.model_fields if hasattr(firm, name)}
        managers = [{**{f: getattr(m, f) for f in FilingManagerOut.model_fields}, "id_number": id_number(m)}
                    for m in firm.managers]
        data.update(firm_name=firm.name, managers=managers, comments=firm.comments,
                    document_ids=firm.document_ids, actions=actions)
        return cls.model_validate(data)


class FirmQuery(Schema):
    q: text(200) = ""
    city: City | None = None
    level: Level | None = None
    page: Annotated[int, Field(ge=1, le=10_000)] = 1
    per_page: Annotated[int, Field(ge=1, le=100)] = 20


class FirmManagerPublic(Answer):
    name: str
    level: str | None


class FirmFigures(Answer):
    deals_brokered: int
    contract_amount: int = Field(description="fen")
    tech_amount: int = Field(description="fen")


class FirmOut(Answer):
    id: int
    name: str
    city: str | None
    number: str | None
    status: FilingStatus
    business_scope: str
    approved_at: LocalTime | None
    managers: list[FirmManagerPublic]
    figures: FirmFigures


class FirmPage(Answer):
    items: list[FirmOut]
    total: int
    page: int
    per_page: int


class FirmVerifyOut(Answer):
    number: str
    status: Literal["valid", "suspended", "revoked"]
    name: str
    city: str | None
    approved_at: LocalTime | None


class AnnualReportIn(Schema):
    year: Year


class AnnualReportPatch(Schema):
    off_deals: Count | None = None
    off_contract_amount: Amount | None = None
    off_tech_amount: Amount | None = None
    off_enterprises: Count | None = None
    notes: text(2000) | None = None


class AnnualReportOut(Answer):
    id: int
    firm_id: int
    year: int
    status: Literal[tuple(REPORT.states)]
    deals_brokered: int
    registered_contracts: int
    contract_amount: int = Field(description="fen, from platform records")
    tech_amount: int = Field(description="fen, from platform records")
    amount_received: int = Field(description="fen: what buyers paid in the year under the deals the firm "
                                             "brokered (instalments paid), from platform records")
    enterprises_served: int
    off_deals: int = Field(description="declared by the firm: off the platform")
    off_contract_amount: int
    off_tech_amount: int
    off_enterprises: int
    notes: str
    due_on: date
    submitted_at: LocalTime | None
