"""An organisation's effective flags on a day (verified, in force, current USCC), with the reasons."""
from dataclasses import dataclass
from datetime import date

from flask_babel import format_date

from ...extensions import db
from .. import rules
from ..models import Qualification
from ..states import KINDS
from .identity import identity_of
from .messages import FLAG_MESSAGES, HOW_TO
from .qualifications import today


def claim_facts(org_id: int) -> list[rules.ClaimFact]:
    rows = db.session.execute(db.select(
        Qualification.id, Qualification.kind, Qualification.status, Qualification.uscc, Qualification.number,
        Qualification.valid_from, Qualification.valid_until, Qualification.reason,
    ).where(Qualification.org_id == org_id)).all()
    return [rules.ClaimFact(id=r.id, kind=r.kind, status=r.status, uscc=r.uscc, number=r.number,
                            valid_from=r.valid_from, valid_until=r.valid_until, reason=r.reason) for r in rows]


def effective_flags(org, on: date | None = None) -> rules.EffectiveFlags:
    """The flags that may change this organisation's subsidy rate on day `on` (default: today in Jiangsu)."""
    if org is None:
        return rules.effective_flags([], None, on or today())
    ident = identity_of(org)
    return rules.effective_flags(claim_facts(org.id), ident.uscc if ident else None, on or today())


@dataclass(frozen=True)
class FlagExplanation:
    kind: str
    label: str
    applies: bool
    code: str
    message: str
    how_to: str | None          # what to do to have it count (None when it already counts)
    qualification_id: int | None


def explain(flags: rules.EffectiveFlags) -> list[FlagExplanation]:
    """Each flag in words, in the reader's language: whether it counts, why, and how to get verified."""
    out = []
    for kind, label in KINDS.items():
        status = flags[kind]
        claim = status.claim
        code = status.code
        if code == "verified" and (claim is None or claim.valid_until is None):
            code = "verified_open"
        until = format_date(claim.valid_until) if claim is not None and claim.valid_until else ""
        message = str(FLAG_MESSAGES[code]) % {"until": until, "reason": (claim.reason if claim else "") or ""}
        out.append(FlagExplanation(kind=kind, label=str(label), applies=status.applies, code=status.code,
                                   message=message, how_to=None if status.applies else str(HOW_TO[kind]),
                                   qualification_id=claim.id if claim else None))
    return out
