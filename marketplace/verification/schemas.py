"""The verification API's payloads, declared once (parsing, 422 messages, answers and OpenAPI)."""
from datetime import date
from typing import Literal

from pydantic import Field

from ..core.schema import Answer, Day, Id, LocalTime, Schema, Text2000, text
from .states import KINDS, STATUSES

QualificationKind = Literal[tuple(KINDS)]
QualificationStatus = Literal[tuple(STATUSES)]


class QualificationIn(Schema):
    kind: QualificationKind
    number: text(40) | None = Field(default=None, description="in_province: the USCC (may be left out)")
    issued_on: Day | None = Field(default=None, description="high_tech: the certificate's issue date")
    valid_until: Day | None = Field(default=None, description="derived from the number when left out")
    document_ids: list[Id] = Field(max_length=10, description="evidence: ids from POST /uploads")


class QualificationDecisionIn(Schema):
    reason: Text2000 | None = Field(default=None, description="required to reject; told to the organisation")


class QualificationOut(Answer):
    id: int
    org_id: int
    kind: QualificationKind
    status: QualificationStatus
    number: str
    uscc: str
    valid_from: date | None
    valid_until: date | None
    reason: str | None
    document_ids: list[int]
    created_at: LocalTime
    decided_at: LocalTime | None


class IdentityIn(Schema):
    uscc: text(40, 1)
    legal_name: text(120, 1)
    legal_rep: text(60, 1)
    legal_rep_id: text(40) | None = Field(default=None, description="resident ID number; stored as a digest")


class IdentityOut(Answer):
    org_id: int
    uscc: str
    uscc_root: str
    legal_name: str
    legal_rep: str


class FlagOut(Answer):
    kind: QualificationKind
    label: str
    applies: bool
    code: str
    message: str
    how_to: str | None
    qualification_id: int | None


class VerificationOut(Answer):
    org_id: int
    identity: IdentityOut | None
    flags: list[FlagOut] = Field(description="effective today: only verified, unexpired qualifications count")
    qualifications: list[QualificationOut]
