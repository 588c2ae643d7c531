"""The trading API's payloads, declared once (parsing, 422 messages, answers and OpenAPI)."""
from datetime import date
from typing import Literal

from pydantic import Field

from ..core.schema import (
    Answer,
    Day,
    Fen,
    Id,
    LocalTime,
    PositiveFen,
    Schema,
    Text200,
    Text2000,
    Title,
    text,
)
from .states import (
    CANCEL_REASONS,
    CONTRACT_TYPES,
    DEAL_STATUSES,
    DEMAND_STATUSES,
    INSTALMENT_STATUSES,
    MODES,
    SYSTEM_CANCEL_REASONS,
)

DemandStatus = Literal[tuple(DEMAND_STATUSES)]
DealStatus = Literal[tuple(DEAL_STATUSES)]
DealMode = Literal[tuple(MODES)]
InstalmentStatus = Literal[INSTALMENT_STATUSES]
ContractType = Literal[tuple(CONTRACT_TYPES)]
CancelReason = Literal[tuple(k for k in CANCEL_REASONS if k not in SYSTEM_CANCEL_REASONS)]
Field60 = text(60)
City = text(10, 1)


class DemandIn(Schema):
    title: Title
    summary: text(500) = ""
    description: text(20000) = ""
    field: Field60 = ""
    city: City
    budget_min: Fen | None = None
    budget_max: Fen | None = None
    deadline: Day


class DemandQuery(Schema):
    q: Text200 = ""
    field: Field60 = ""
    city: text(10) = ""
    page: int = Field(default=1, ge=1, le=10_000)
    per_page: int = Field(default=20, ge=1, le=100)


class DemandReasonIn(Schema):
    reason: Text2000 | None = None


class Suggestion(Answer):
    id: int
    title: str
    score: float


class DemandOut(Answer):
    id: int
    status: DemandStatus
    org_id: int
    title: str
    summary: str
    description: str
    field: str
    city: str
    budget_min: int | None = Field(description="fen")
    budget_max: int | None = Field(description="fen")
    deadline: date
    reject_reason: str | None
    published_at: LocalTime | None
    created_at: LocalTime
    suggested: list[Suggestion] = Field(default_factory=list)


class DemandPage(Answer):
    items: list[DemandOut]
    total: int
    page: int
    per_page: int


class DealIn(Schema):
    achievement_id: Id | None = None
    demand_id: Id | None = None
    buyer_org_id: Id | None = Field(default=None, description="a broker names both organisations")
    seller_org_id: Id | None = None
    mode: DealMode
    amount: Fen
    message: Text2000 = ""


class OfferIn(Schema):
    amount: Fen
    message: Text2000 = ""


class ObjectionIn(Schema):
    reason: text(2000, 1)


class ResolveIn(Schema):
    upheld: bool = Field(strict=True)
    comment: Text2000 = ""


class InstalmentIn(Schema):
    due_on: Day
    amount: PositiveFen


class SignIn(Schema):
    contract_type: ContractType
    total_amount: PositiveFen
    tech_amount: Fen
    instalments: list[InstalmentIn] = Field(min_length=1, max_length=60)


class PayIn(Schema):
    instalment: int = Field(strict=True, ge=1, le=60, description="the instalment's number (1, 2, …)")


class CancelIn(Schema):
    reason_code: CancelReason
    comment: Text2000 = ""


class OfferOut(Answer):
    side: str
    amount: int
    message: str
    created_at: LocalTime


class InstalmentOut(Answer):
    seq: int
    due_on: date
    amount: int
    status: InstalmentStatus
    remittance_code: str = Field(description="what the buyer writes in the bank transfer's 附言")
    paid_at: LocalTime | None = Field(description="when the money arrived in the supervised account")
    paid_by: str | None = Field(description="transfer | card")
    released_at: LocalTime | None
    refunded_at: LocalTime | None


class EscrowAccountOut(Answer):
    account_name: str
    account_number: str
    bank: str


class InstalmentScheduleOut(Answer):
    """A deal's instalments under supervision (资金监管) and the account they are transferred to."""

    deal_id: int
    status: DealStatus
    commission_bp: int | None = Field(description="the broker firm's share of each release, in basis points")
    account: EscrowAccountOut
    instalments: list[InstalmentOut]
    held: int = Field(description="fen held in the supervised account now")
    released_to_seller: int
    commission: int
    refunded: int


class InstalmentRefundIn(Schema):
    reason: text(300, 1)


class DealOut(Answer):
    id: int
    status: DealStatus
    title: str
    achievement_id: int | None
    demand_id: int | None
    buyer_org_id: int
    seller_org_id: int
    broker_user_id: int | None
    mode: str
    price_mode: str
    amount: int = Field(description="fen: the latest offer, or the agreed price")
    last_offer_side: str
    state_owned: bool
    notice_ends_at: LocalTime | None
    contract_type: str | None
    total_amount: int | None
    tech_amount: int | None
    cancel_reason_code: str | None
    cancel_comment: str | None
    offers: list[OfferOut] = Field(default_factory=list)
    instalments: list[InstalmentOut] = Field(default_factory=list)
    waiting_for: str = ""
    signed_sides: list[str] = Field(default_factory=list,
                                    description="the sides that signed the contract terms (both: signed)")
    mandated_sides: list[str] = Field(default_factory=list,
                                      description="the sides that confirmed the broker's mandate (委托)")
    payment_intent: str | None = None
    client_secret: str | None = None


class DealList(Answer):
    items: list[DealOut]


class NoticeOut(Answer):
    id: int
    title: str
    seller: str
    buyer: str
    amount: int
    notice_ends_at: LocalTime | None
    status: DealStatus


class NoticeList(Answer):
    items: list[NoticeOut]


class CommissionRateIn(Schema):
    """A broker firm's new commission rate: basis points of each buyer payment (300 = 3 %), from a day on."""

    basis_points: int = Field(ge=0, le=10_000, description="basis points; the configured ceiling applies (30 %)")
    effective_on: Day | None = Field(default=None, description="local date; today when left out; never in the past")
    note: text(500) = ""


class CommissionRateOut(Answer):
    id: int
    basis_points: int
    effective_on: date
    note: str
    set_by_id: int | None
    created_at: LocalTime


class FirmCommissionOut(Answer):
    firm_id: int
    firm_name: str
    current_bp: int = Field(description="the rate in effect today, basis points")
    history: list[CommissionRateOut]
