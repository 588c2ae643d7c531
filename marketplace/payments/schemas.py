"""The payments API's payloads, declared once (parsing, answers and OpenAPI)."""
from typing import Literal

from pydantic import BaseModel, Field

from ..booking.schemas import BookingOut
from ..core.schema import Answer
from .states import PAYMENT_STATUSES

PaymentStatus = Literal[tuple(PAYMENT_STATUSES)]  # the one list of states, from states.py


class PaymentOut(Answer):
    id: int
    booking_id: int
    amount: int = Field(description="fen")
    currency: Literal["cny"]
    status: PaymentStatus
    payment_intent: str | None = Field(validation_alias="payment_intent_id")
    failure_message: str | None


class BookingPaymentOut(BookingOut):
    """The booking plus the payment started for it (all null when nothing was payable and the
    booking was settled at once)."""

    payment: PaymentOut | None
    payment_intent: str | None
    client_secret: str | None


class WebhookOut(Answer):
    received: bool
    outcome: Literal["processed", "duplicate", "ignored"]


class GatewayEventData(BaseModel):
    object: dict = Field(strict=True)


class GatewayEvent(BaseModel):
    """The part of a gateway's signed webhook event the platform reads (anything else is ignored)."""

    id: str = Field(strict=True, max_length=255)
    type: str = Field(strict=True, max_length=255)
    data: GatewayEventData
