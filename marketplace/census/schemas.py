"""The census API's payloads, declared once (parsing, 422 messages, answers and OpenAPI)."""
from typing import Literal

from pydantic import Field

from ..core.schema import Answer, Id, Schema, text


class CensusQuery(Schema):
    year: int = Field(ge=2000, le=2100)
    group_by: Literal["city", "type", "org", "instrument"] = "city"


class SelfReported(Answer):
    hours: int
    external_hours: int
    orgs_served: int
    income: int = Field(description="fen")


class CensusRow(Answer):
    key: str
    label: str
    instruments: int
    available_hours: float
    quota_hours: float
    used_hours: float = Field(description="有效工作机时: completed and settled bookings' actual times")
    external_hours: float = Field(description="对外服务机时: use by unrelated organisations")
    utilisation: float | None = Field(description="used hours divided by quota hours")
    share_rate: float | None = Field(description="共享率: external hours divided by used hours")
    orgs_served: int = Field(description="distinct external organisations served")
    income_internal: int = Field(description="fen")
    income_external: int = Field(description="fen")
    subsidy_user: int = Field(description="fen, from the ledger")
    subsidy_provider: int | None = Field(description="fen, from the ledger; null where not attributable")
    self_reported: SelfReported | None = Field(
        default=None, description="the provider's own figures for use off the platform, never added to the above")


class CensusOut(Answer):
    year: int
    group_by: str
    rows: list[CensusRow]


class EvaluationQuery(Schema):
    year: int = Field(ge=2000, le=2100)


class EvaluationRow(Answer):
    org_id: int
    name: str
    score: float
    grade: Literal["优秀", "良好", "合格", "较差"]
    provider_grade: Literal["A", "B", "C", "D"]
    points: dict[str, float]


class EvaluationOut(Answer):
    year: int
    rows: list[EvaluationRow]


class SelfReportQuery(Schema):
    year: int | None = Field(default=None, ge=2000, le=2100)
    org: int | None = Field(default=None, ge=1, le=2**31 - 1)
    instrument: int | None = Field(default=None, ge=1, le=2**31 - 1)


class SelfReportIn(Schema):
    instrument_id: Id
    year: int = Field(strict=True, ge=2000, le=2100)
    hours: int = Field(strict=True, ge=0, le=8784)
    external_hours: int = Field(strict=True, ge=0, le=8784)
    orgs_served: int = Field(strict=True, ge=0, le=1_000_000)
    income: int = Field(strict=True, ge=0, le=10**13, description="fen")
    note: text(1000) = ""


class SelfReportOut(Answer):
    id: int
    instrument_id: int
    org_id: int
    year: int
    hours: int
    external_hours: int
    orgs_served: int
    income: int
    note: str


class SelfReportList(Answer):
    items: list[SelfReportOut]


class GradesIn(Schema):
    programme_id: Id
    year: int | None = Field(default=None, strict=True, ge=2000, le=2100)


class GradesOut(Answer):
    programme_id: int
    year: int
    units: int
    changed: int
    grades: dict[str, int]
