"""The subsidy API's payloads, declared once (answers and OpenAPI)."""
from typing import Literal

from pydantic import Field

from ..core.schema import Answer
from .states import GRADES, PERIODS


class ProgrammeOut(Answer):
    """A subsidy programme: how much public money it holds, reserved and committed, and its rules."""

    id: int
    name: str
    year: int
    active: bool
    budget: int = Field(description="fen")
    reserved: int = Field(description="fen")
    committed: int = Field(description="fen")
    remaining: int = Field(description="fen = budget - reserved - committed")
    rate_default_bp: int = Field(description="basis points")
    rate_sme_bp: int = Field(description="basis points")
    rate_sme_high_tech_bp: int = Field(description="basis points")
    booking_cap: int = Field(description="fen")
    org_year_cap: int = Field(description="fen")
    min_original_value: int = Field(description="fen")
    provider_rate_bp: int = Field(description="basis points")
    grade_a_bp: int = Field(description="basis points")
    grade_b_bp: int = Field(description="basis points")
    grade_c_bp: int = Field(description="basis points")
    grade_d_bp: int = Field(description="basis points")
    ungraded: Literal[tuple(GRADES)]
    provider_unit_cap: int = Field(description="fen")
    exclude_internal: bool
    exclude_related: bool
    settlement_period: Literal[tuple(PERIODS)]


class ProgrammeList(Answer):
    items: list[ProgrammeOut]
