"""The auctions API's payloads, declared once (parsing, 422 messages, answers and OpenAPI)."""
from typing import Literal

from pydantic import Field

from ..core.schema import Answer, AwareTime, Fen, LocalTime, PositiveFen, Schema, Text2000, text
from .states import FALLBACK_MODES, PHASES, REGISTRATION_STATUSES

Phase = Literal[tuple(PHASES)]
RegistrationStatus = Literal[tuple(REGISTRATION_STATUSES)]
FallbackMode = Literal[tuple(FALLBACK_MODES)]


class AuctionTermsIn(Schema):
    """An achievement's auction terms (listing_mode: auction); reviewed before registration opens."""

    starting_price: PositiveFen
    increment: PositiveFen
    deposit: Fen | None = Field(default=None, description="fen; default 10 % of the starting price")
    registration_deadline: AwareTime
    starts_at: AwareTime
    ends_at: AwareTime
    extension_minutes: int = Field(default=5, strict=True, ge=1, le=60)
    fallback_mode: FallbackMode = "negotiated"


class AuctionReviewIn(Schema):
    approve: bool = Field(strict=True)
    reason: Text2000 = ""


class BidIn(Schema):
    amount: PositiveFen


class RefundIn(Schema):
    reference: str = Field(default="", max_length=100, description="the bank transfer's reference")


class DepositPayIn(Schema):
    """Optional: a card the gateway's script made (pm_… / card_…) to confirm at once; without it the
    answer's client_secret is confirmed by the client with the gateway."""

    payment_method: text(80) | None = None


class BidOut(Answer):
    alias: str
    amount: int = Field(description="fen")
    at: LocalTime


class MyRegistration(Answer):
    id: int
    alias: str
    status: RegistrationStatus
    deposit: int = Field(description="fen")
    remittance_code: str
    refund_due_on: str | None = None


class AuctionOut(Answer):
    id: int
    achievement_id: int
    title: str
    status: Phase
    starting_price: int = Field(description="fen")
    increment: int = Field(description="fen")
    deposit: int = Field(description="fen")
    registration_deadline: LocalTime
    starts_at: LocalTime
    ends_at: LocalTime
    extension_minutes: int
    fallback_mode: FallbackMode
    highest: int | None = Field(description="fen")
    next_valid: int = Field(description="fen")
    seconds_left: int = Field(description="until the end (0 once ended); follows extensions")
    bids: list[BidOut]
    deal_id: int | None = None
    mine: MyRegistration | None = None


class AuctionTermsOut(Answer):
    """An achievement's answer (GET /resources/ID) adds its auction: the id and phase, and the terms."""

    id: int
    status: Phase
    starting_price: int = Field(description="fen")
    increment: int = Field(description="fen")
    deposit: int = Field(description="fen")
    registration_deadline: LocalTime
    starts_at: LocalTime
    ends_at: LocalTime
    extension_minutes: int
    fallback_mode: FallbackMode


class AuctionCreatedOut(Answer):
    id: int
    status: Phase


class RegistrationOut(Answer):
    id: int
    status: RegistrationStatus
    deposit: int = Field(description="fen")
    remittance_code: str
    alias: str


class DepositPayOut(RegistrationOut):
    payment_intent: str | None = None
    client_secret: str | None = None


class CloseOut(Answer):
    closed: int
    awarded: int
    failed: int
    forfeited: int = 0
    applied: int = 0


__all__ = ["AuctionCreatedOut", "AuctionOut", "AuctionTermsOut", "AuctionReviewIn", "AuctionTermsIn", "BidIn", "BidOut", "CloseOut",
           "DepositPayIn", "DepositPayOut", "MyRegistration", "RefundIn", "RegistrationOut"]
