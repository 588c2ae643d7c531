"""The billing API's payloads, declared once (parsing, answers and OpenAPI). Money in fen."""
from datetime import date
from typing import Literal

from pydantic import Field

from ..core.schema import Answer, Id, Page, Schema, text
from .states import BANK_LINE_STATUSES, BILL_STATUSES

BillStatus = Literal[tuple(BILL_STATUSES)]
BankLineStatus = Literal[tuple(BANK_LINE_STATUSES)]


class BillLineOut(Answer):
    booking_id: int
    kind: Literal["booking", "cancel_fee"]
    fee: int = Field(description="fen")
    user_subsidy: int = Field(description="fen")
    net: int = Field(description="fen")


class BillOut(Answer):
    id: int
    org_id: int
    period: str = Field(description="YYYY-MM")
    lines: list[BillLineOut]
    fee: int
    user_subsidy: int
    total: int = Field(description="fen: what the bill owes")
    paid_amount: int = Field(description="fen received so far")
    due_on: date
    remittance_code: str = Field(description="to write in the bank transfer's 附言")
    status: BillStatus


class BillQuery(Schema):
    status: BillStatus | None = None
    page: int = Field(1, ge=1, le=10_000)
    per_page: int = Field(20, ge=1, le=100)


class BillPage(Page):
    items: list[BillOut]


class BillPayOut(BillOut):
    """The bill plus the PaymentIntent started for it (confirm it with the gateway's script)."""

    payment_intent: str | None
    client_secret: str | None


class StatementImportOut(Answer):
    lines: int
    matched: int
    queued: int
    duplicates: int


class BankLineOut(Answer):
    id: int
    transaction_id: str
    booked_on: date
    payer_name: str
    payer_account: str
    amount: int = Field(description="fen")
    remark: str
    remittance_code: str | None
    status: BankLineStatus
    reason: str | None
    bill_id: int | None
    note: str | None


class BankLineQuery(Schema):
    status: BankLineStatus | None = "unmatched"
    page: int = Field(1, ge=1, le=10_000)
    per_page: int = Field(20, ge=1, le=100)


class BankLinePage(Page):
    items: list[BankLineOut]


class AssignIn(Schema):
    bill_id: Id | None = None
    remittance_code: text(12, 12) | None = None
    note: text(300) = ""


class ReturnIn(Schema):
    note: text(300, 1)


class BillPayIn(Schema):
    """Optional: a card the gateway's script made (pm_… / card_…) to confirm at once; without it the
    answer's client_secret is confirmed by the client with the gateway."""

    payment_method: text(80) | None = None
