"""Request payloads: each kind's own fields (one schema per kind, also used by the web forms' data),
the common envelope of `POST /requests`, and the answer with its timeline."""
from typing import Literal

from pydantic import ConfigDict, Field

from ..core.schema import Answer, Id, LocalTime, PositiveFen, Schema, Text2000, Title, text
from .models import KINDS
from .states import STATUSES

Kind = Literal[KINDS]
Months = Field(strict=True, ge=1, le=600)


class IncubationDetails(Schema):
    business_plan: text(2000, 1)
    team: Text2000 = ""
    team_size: int = Field(strict=True, ge=1, le=1000)
    seats: int = Field(strict=True, ge=1, le=10000)
    needs: Text2000 = ""


class LoanDetails(Schema):
    amount: PositiveFen
    term_months: int = Months
    purpose: Title
    revenue: int | None = Field(default=None, strict=True, ge=0, le=10**15,
                                description="last year's revenue in fen, declared; needed once per year")


class EquityDetails(Schema):
    amount: PositiveFen
    stage: Literal["seed", "angel", "series_a", "series_b", "later"]
    business_plan: text(2000, 1)
    use_of_funds: Text2000 = ""


class FinanceServiceDetails(Schema):
    amount: PositiveFen | None = None
    need: text(2000, 1)


class ConsultingDetails(Schema):
    topic: Title
    question: text(2000, 1)
    mode: Literal["online", "onsite"] = "online"


class SecondmentDetails(Schema):
    researcher_email: text(254, 3)
    id_number: text(18, 15)
    degree: Literal["phd", "master", "bachelor"]
    senior_title: bool = False
    term_months: int = Months
    total_pay: PositiveFen
    duties: text(2000, 1)


class DataAccessDetails(Schema):
    purpose: text(2000, 1)
    agree_licence: bool


class MaterialDetails(Schema):
    quantity: int = Field(strict=True, ge=1, le=10**9)
    purpose: text(2000, 1)
    shipping_address: Title


DETAILS = {"incubation": IncubationDetails, "loan": LoanDetails, "equity": EquityDetails, "finance_service": FinanceServiceDetails,
           "consulting": ConsultingDetails, "secondment": SecondmentDetails, "data_access": DataAccessDetails,
           "material": MaterialDetails}


class RequestIn(Schema):
    """`kind`, the `resource_id` asked of, optionally the event or open call it comes from; the kind's own
    fields sit beside them (loan: `amount` fen, `term_months`, `purpose`, `revenue`; see each kind)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)
    kind: Kind
    resource_id: Id
    event_id: Id | None = None
    call_id: Id | None = None
    submit: bool = Field(default=False, description="submit at once instead of keeping a draft")


class RequestReasonIn(Schema):
    reason: text(2000, 1)


class RequestNoteIn(Schema):
    note: text(2000, 1)


class RequestStepNoteIn(Schema):
    """The handler's optional note on accepting, granting or completing (kept in the timeline, told to the
    requester)."""
    note: text(2000) = ""


class RequestStepOut(Answer):
    action: str
    status: str
    note: str
    created_at: LocalTime


class RequestOut(Answer):
    id: int
    kind: Kind
    status: Literal[tuple(STATUSES)]
    title: str
    resource_id: int
    handler_org_id: int
    requester_id: int
    requester_org_id: int | None
    event_id: int | None
    call_id: int | None
    amount: int | None = Field(description="fen")
    term_months: int | None
    details: dict
    decline_reason: str | None
    created_at: LocalTime
    submitted_at: LocalTime | None
    closed_at: LocalTime | None
    timeline: list[RequestStepOut]
    confirmed_by: list[str] = Field(description="secondment: the parties that confirmed the agreement")


