"""The billing API's payloads, declared once (parsing, answers and OpenAPI). Money in fen."""
from datetime import date
from typing import Literal

from pydantic import Field

from ..core.schema import Answer, Id, Page, Schema, Uscc, text
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


class InvoiceIn(Schema):
    """A 发票 request for a paid bill or a paid deal instalment (one of bill_id, instalment_id)."""

    bill_id: Id | None = None
    instalment_id: Id | None = None
    kind: Literal["normal", "special"]
    title: text(200, 2)
    tax_number: Uscc = Field(description="the buyer's USCC (统一社会信用代码), check character verified")
    address_phone: text(200) | None = None
    bank_account: text(200) | None = None


class InvoiceIssueIn(Schema):
    number: text(20, 8) = Field(description="the invoice number (8 digits, or 20 for a 全电发票)")
    issued_on: date
    document_id: Id | None = Field(None, description="an uploaded PDF of the invoice (POST /uploads)")


class InvoiceRedIn(Schema):
    number: text(20, 8) = Field(description="the red-letter (红字) invoice's number")
    issued_on: date
    reason: text(300, 1)


class InvoiceOut(Answer):
    id: int
    org_id: int
    bill_id: int | None
    instalment_id: int | None
    kind: Literal["normal", "special"]
    title: str
    tax_number: str
    address_phone: str | None
    bank_account: str | None
    amount: int = Field(description="fen")
    status: Literal["requested", "issued", "reversed"]
    number: str | None
    issued_on: date | None
    red_number: str | None
    red_issued_on: date | None
