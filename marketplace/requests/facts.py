"""The facts each kind's rule reads, gathered from the database (the rules themselves stay pure)."""
import hashlib
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import current_app

from ..extensions import db
from . import rules
from .models import OrgRevenue, OrgStake, ServiceRequest


@dataclass
class Context:
    resource: object
    org: object | None            # the requester's organisation
    actor: object
    details: dict
    today: date


def id_hash(id_number: str) -> str:
    return hashlib.sha256(id_number.strip().upper().encode()).hexdigest()


def revenue_of(org_id: int | None) -> OrgRevenue | None:
    """The latest revenue figure of the company: verified preferred over declared, newest year first."""
    if org_id is None:
        return None
    return db.session.scalar(sa.select(OrgRevenue).where(OrgRevenue.org_id == org_id)
                             .order_by(OrgRevenue.year.desc(), OrgRevenue.verified_at.is_(None)).limit(1))


def prior_loans(org_id: int | None) -> int:
    if org_id is None:
        return 0
    return db.session.scalar(sa.select(sa.func.count(ServiceRequest.id)).where(
        ServiceRequest.requester_org_id == org_id, ServiceRequest.kind == "loan",
        ServiceRequest.status == "completed")) or 0


def verified_in_province(org) -> bool:
    """In-province as a reviewer verified it from the business licence (verification.effective_flags),
    never the Organisation column filled from a typed USCC."""
    if org is None:
        return False
    from ..verification.services import effective_flags
    return bool(effective_flags(org).in_province)


def loan_bands():
    return tuple(tuple(b) for b in current_app.config.get("LOAN_BANDS", rules.DEFAULT_LOAN_BANDS))


def loan(ctx: Context) -> rules.LoanFacts:
    figure = revenue_of(getattr(ctx.org, "id", None))
    revenue = figure.revenue if figure is not None else ctx.details.get("revenue")
    return rules.LoanFacts(
        org_kind=getattr(ctx.org, "kind", None), in_province=verified_in_province(ctx.org),
        revenue=revenue, prior_loans=prior_loans(getattr(ctx.org, "id", None)), amount=ctx.details["amount"],
        term_months=ctx.details["term_months"], product_min=ctx.resource.amount_min,
        product_max=ctx.resource.amount_max, bands=loan_bands(),
        max_term_months=current_app.config.get("LOAN_MAX_TERM_MONTHS", 36))


def equity(ctx: Context) -> rules.EquityFacts:
    return rules.EquityFacts(org_kind=getattr(ctx.org, "kind", None), amount=ctx.details["amount"],
                             product_min=ctx.resource.amount_min, product_max=ctx.resource.amount_max)


def finance_service(ctx: Context) -> rules.FinanceServiceFacts:
    return rules.FinanceServiceFacts(org_kind=getattr(ctx.org, "kind", None), amount=ctx.details.get("amount"),
                                     product_max=ctx.resource.amount_max)


def incubation(ctx: Context) -> rules.IncubationFacts:
    return rules.IncubationFacts(seats_wanted=ctx.details["seats"], seats_offered=ctx.resource.seats,
                                 team_size=ctx.details["team_size"])


def consulting(ctx: Context) -> rules.ConsultingFacts:
    return rules.ConsultingFacts(expert_consults=bool(ctx.resource.consulting))


def related_parties(company, sending_org_id: int, researcher_id_hash: str | None) -> frozenset:
    """Which of the researcher and the sending unit founded or invested in the company: declared stakes,
    plus the organisation tree (the company is the sending unit's or the other way round)."""
    if company is None:
        return frozenset()
    found = set()
    stakes = db.session.scalars(sa.select(OrgStake).where(OrgStake.company_org_id == company.id)).all()
    for s in stakes:
        if s.holder_org_id == sending_org_id:
            found.add("sending_unit")
        if researcher_id_hash and s.holder_id_hash == researcher_id_hash:
            found.add("researcher")
    if company.parent_id == sending_org_id:
        found.add("sending_unit")
    return frozenset(found)


def secondment(ctx: Context) -> rules.SecondmentFacts:
    cfg = current_app.config
    d = ctx.details
    birth = date.fromisoformat(d["birth_date"]) if d.get("birth_date") else None
    sending = ctx.resource.owner
    return rules.SecondmentFacts(
        expert_seconds=bool(ctx.resource.secondment), birth=birth, degree=d["degree"],
        senior_title=bool(d.get("senior_title")), sending_kind=sending.kind,
        company_kind=getattr(ctx.org, "kind", None), company_in_province=verified_in_province(ctx.org),
        related=related_parties(ctx.org, sending.id, d.get("id_hash")), term_months=d["term_months"],
        total_pay=d["total_pay"], today=ctx.today, max_age=cfg.get("SECONDMENT_MAX_AGE", 50),
        min_term_months=cfg.get("SECONDMENT_MIN_TERM_MONTHS", 24),
        min_pay=cfg.get("SECONDMENT_MIN_PAY", 120_000 * rules.YUAN))


def data_access(ctx: Context) -> rules.DataAccessFacts:
    return rules.DataAccessFacts(access_level=ctx.resource.access_level,
                                 agrees_licence=bool(ctx.details.get("agree_licence")))


def material(ctx: Context) -> rules.MaterialFacts:
    return rules.MaterialFacts(quantity=ctx.details["quantity"], available=ctx.resource.quantity,
                               biosafety_level=ctx.resource.biosafety_level,
                               requester_org_kind=getattr(ctx.org, "kind", None))
