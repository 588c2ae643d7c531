"""The subsidy's payloads, declared once (programme rules as the form, the CLI and the demo give them;
answers and OpenAPI)."""
from typing import Literal

from pydantic import Field

from ..core.schema import Answer, Fen, Schema, whole
from .states import GRADES, PERIODS

BasisPoints = whole(0, 10000)


class ProgrammeRules(Schema):
    """A programme's rules; what is left out keeps its value (the configured default for a new one)."""

    rate_default_bp: BasisPoints | None = None
    rate_sme_bp: BasisPoints | None = None
    rate_sme_high_tech_bp: BasisPoints | None = None
    booking_cap: Fen | None = None
    org_year_cap: Fen | None = None
    min_original_value: Fen | None = None
    provider_rate_bp: BasisPoints | None = None
    grade_a_bp: BasisPoints | None = None
    grade_b_bp: BasisPoints | None = None
    grade_c_bp: BasisPoints | None = None
    grade_d_bp: BasisPoints | None = None
    ungraded: Literal[tuple(GRADES)] | None = None
    provider_unit_cap: Fen | None = None
    exclude_internal: bool | None = None
    exclude_related: bool | None = None
    settlement_period: Literal[tuple(PERIODS)] | None = None


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


class SubsidyRateOut(Answer):
    """A user-side rate and what it means for a ¥1,000 (100,000 fen) booking."""

    qualification: Literal["default", "sme", "sme_high_tech"] = Field(
        description="default: a verified in-province enterprise; sme: also a verified 科技型中小企业; "
                    "sme_high_tech: also a verified 高新技术企业")
    rate_bp: int = Field(description="basis points of the fee")
    example_fee: int = Field(description="fen")
    example_subsidy: int = Field(description="fen")
    example_payable: int = Field(description="fen")


class SubsidyPolicyOut(Answer):
    """The active programme's public rules (no budget figures: only whether money is left)."""

    programme_id: int
    name: str
    year: int
    user_rates: list[SubsidyRateOut]
    booking_cap: int = Field(description="fen: user subsidy per booking at most")
    org_year_cap: int = Field(description="fen: user subsidy per organisation per year at most")
    min_original_value: int = Field(description="fen: instruments worth less earn no subsidy")
    provider_rate_bp: int = Field(description="basis points of the managing unit's external service income")
    grade_factors_bp: dict[Literal[tuple(GRADES)], int] = Field(description="evaluation grade -> factor (bp)")
    ungraded: Literal[tuple(GRADES)] = Field(description="grade assumed for a unit not yet evaluated")
    provider_unit_cap: int = Field(description="fen: provider subsidy per unit per year at most")
    exclude_internal: bool
    exclude_related: bool
    settlement_period: Literal[tuple(PERIODS)]
    budget_available: bool = Field(description="false once the budget is used up: users then pay the full fee")
    qualifications_verified_at: str = Field(description="where an organisation claims its qualifications")

    @classmethod
    def of(cls, policy, verify_url: str) -> "SubsidyPolicyOut":
        rates = [SubsidyRateOut(qualification=r.key, rate_bp=r.rate_bp, example_fee=policy.example_fee,
                                example_subsidy=r.example_subsidy, example_payable=r.example_payable)
                 for r in policy.rates]
        fields = {k: getattr(policy, k) for k in cls.model_fields if hasattr(policy, k)}
        return cls(user_rates=rates, qualifications_verified_at=verify_url, **fields)
