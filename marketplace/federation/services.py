"""Partners (staff only) and their harvests: configure, harvest, apply a harvest's records."""
from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import sqlalchemy as sa
from flask_babel import gettext as _
from pydantic import AfterValidator, Field, ValidationError

from ..core.db import find
from ..core.errors import Invalid, NotFound
from ..core.jobs import own_transaction
from ..core.permissions import require_role
from ..core.schema import Id, conform, invalid_from, text
from ..core.timeutil import utcnow
from ..extensions import db
from . import harvest
from .models import SCHEDULES, HarvestReport, Partner, PartnerRecord
from .schemas import PartnerIn

STAFF = "admin"  # who configures partners and starts harvests


def partner_input(data: dict) -> PartnerIn:
    try:
        return PartnerIn.model_validate(data)
    except ValidationError as e:
        raise invalid_from(e) from None


# a partner's id: a number, or its digits as typed on the command line
PartnerId = Annotated[Id | Annotated[str, Field(strict=True, pattern=r"^[0-9]{1,9}$")], AfterValidator(int)]


def get_partner(key, *, actor=None) -> Partner:
    """A partner by id or by name."""
    partner = find(Partner, conform(PartnerId, key))
    name = conform(text(100), key) if partner is None else None
    if name:
        partner = db.session.scalar(sa.select(Partner).where(Partner.name == name))
    if partner is None:
        raise NotFound(_("没有这个合作平台"))
    return partner


def list_partners() -> list[Partner]:
    return db.session.scalars(sa.select(Partner).order_by(Partner.name)).all()


def add_partner(data: PartnerIn, *, actor) -> Partner:
    """Add a partner platform to harvest (actor None: the command line, run by an operator)."""
    if actor is not None:
        require_role(actor, STAFF)
    if db.session.scalar(sa.select(Partner.id).where(Partner.name == data.name)):
        raise Invalid.field("name", _("已有同名的合作平台"))
    partner = Partner(**data.model_dump())
    db.session.add(partner)
    db.session.flush()
    return partner


def patch_values(partner: Partner, changes: dict) -> PartnerIn:
    """The partner's settings with `changes` applied, validated as a whole."""
    current = {n: getattr(partner, n) for n in PartnerIn.model_fields}
    return partner_input({**current, **{k: v for k, v in changes.items() if v is not None}})


def update_partner(partner: Partner, data: PartnerIn, *, actor) -> Partner:
    if actor is not None:
        require_role(actor, STAFF)
    clash = db.session.scalar(sa.select(Partner.id).where(Partner.name == data.name, Partner.id != partner.id))
    if clash:
        raise Invalid.field("name", _("已有同名的合作平台"))
    if data.base_url != partner.base_url or data.metadata_prefix != partner.metadata_prefix:
        partner.harvested_from = None  # another catalogue or format: the next harvest is a full one
    for name, value in data.model_dump().items():
        setattr(partner, name, value)
    db.session.flush()
    return partner


def reports(partner: Partner, limit: int = 20) -> list[HarvestReport]:
    return db.session.scalars(sa.select(HarvestReport).where(HarvestReport.partner_id == partner.id)
                              .order_by(HarvestReport.id.desc()).limit(limit)).all()


def record_counts() -> dict[int, int]:
    return dict(db.session.execute(sa.select(PartnerRecord.partner_id, sa.func.count()).where(
        PartnerRecord.deleted.is_(False)).group_by(PartnerRecord.partner_id)).all())


# -- harvesting ------------------------------------------------------------------------------------

def spec_of(partner: Partner) -> harvest.PartnerSpec:
    return harvest.PartnerSpec(partner.id, partner.base_url, partner.metadata_prefix, partner.harvested_from)


def apply_harvest(partner: Partner, outcome: harvest.Outcome, *, started_at=None) -> HarvestReport:
    """Write a harvest's records and its report. Idempotent: a record already as harvested is left
    alone; deletions mark our copy deleted (it leaves search). Only a complete harvest moves the
    partner's `harvested_from` (a failed one is harvested again from the same point next time)."""
    now = utcnow()
    report = HarvestReport(partner_id=partner.id, started_at=started_at or now, finished_at=now,
                           pages=outcome.pages, skipped=outcome.skipped, problems=list(outcome.problems),
                           added=0, updated=0, deleted=0, error=outcome.error,
                           status="failed" if outcome.error else "ok")
    existing = {}
    ids = list(outcome.records)
    for start in range(0, len(ids), 500):
        for rec in db.session.scalars(sa.select(PartnerRecord).where(
                PartnerRecord.partner_id == partner.id, PartnerRecord.identifier.in_(ids[start:start + 500]))):
            existing[rec.identifier] = rec
    for identifier, values in outcome.records.items():
        rec = existing.get(identifier)
        if values["deleted"]:
            if rec is not None and not rec.deleted:
                rec.deleted, rec.datestamp, rec.harvested_at = True, values["datestamp"], now
                report.deleted += 1
            continue
        if rec is None:
            db.session.add(PartnerRecord(partner_id=partner.id, identifier=identifier, harvested_at=now, **values))
            report.added += 1
            continue
        changed = {k: v for k, v in values.items() if getattr(rec, k) != v}
        if changed:
            for k, v in changed.items():
                setattr(rec, k, v)
            rec.harvested_at = now
            report.updated += 1
    db.session.add(report)
    partner.last_harvest_at = now
    if not outcome.error:
        partner.harvested_from = outcome.response_date or started_at or now
    db.session.flush()
    return report


def due_partners(now=None) -> list[Partner]:
    """Enabled partners whose schedule says a harvest is due."""
    now = now or utcnow()
    return [p for p in db.session.scalars(sa.select(Partner).where(Partner.enabled.is_(True)).order_by(Partner.id))
            if p.last_harvest_at is None or p.last_harvest_at + timedelta(seconds=SCHEDULES[p.schedule]) <= now]




def run_harvest(partner_key) -> HarvestReport:
    """Harvest one partner: read its settings, hold no transaction while it answers (on SQLite no
    write lock either), then write what came in. The caller commits (CLI, job)."""
    partner = get_partner(partner_key)
    spec, started = spec_of(partner), utcnow()
    db.session.rollback()  # only reads so far: end them before the network
    outcome = harvest.fetch(spec)
    return apply_harvest(db.session.get(Partner, spec.id), outcome, started_at=started)


def harvest_due() -> dict:
    """The scheduler's job: harvest every enabled partner whose schedule is due, each committed on its
    own (one partner's failure is its report, not the others')."""
    done = {}
    for partner_id, name in [(p.id, p.name) for p in due_partners()]:
        report = run_harvest(partner_id)
        done[name] = report.status
        db.session.commit()
    return done


def request_harvest(partner: Partner, *, actor):
    """Staff ask for a harvest now: it runs as a job after the commit (the partner may be slow)."""
    require_role(actor, STAFF)
    from ..core.jobs import enqueue
    enqueue(harvest_job, partner.id)


@own_transaction  # run_harvest rolls back its reads before the network
def harvest_job(partner_id: int):
    run_harvest(partner_id)
