"""The yearly 100-point evaluation: platform-derived parts computed, the rest entered by reviewers."""
import sqlalchemy as sa
from flask_babel import gettext as _

from ...core import audit
from ...core.errors import Forbidden
from ...core.permissions import require_login
from ...core.schema import validated, whole
from ...extensions import db
from .. import rules
from ..figures import figures_for
from ..models import AnnualReport, Evaluation, Firm
from .filings import is_reviewer
from .reports import due_date


def computed_parts(firm: Firm, year: int) -> dict[str, int]:
    """基础条件 from the filing, 服务绩效 from platform figures, the on-time report part of 规范管理."""
    figures = figures_for(firm, year)
    senior = sum(1 for m in firm.managers if m.level == "senior")
    report = db.session.scalar(sa.select(AnnualReport).where(AnnualReport.firm_id == firm.id,
                                                             AnnualReport.year == year))
    on_time = bool(report and report.submitted_at and report.submitted_at.date() <= due_date(year))
    return {
        "basic": rules.basic_score(len(firm.managers), senior, firm.premises_m2),
        "performance": rules.performance_score(figures["deals_brokered"], figures["tech_amount"],
                                               figures["enterprises_served"]),
        "compliance_computed": rules.compliance_computed(on_time),
    }


@validated
def evaluate_firm(firm: Firm, year: whole(2000, 2999), *, actor, capability: whole(0, rules.PARTS["capability"]),
                  compliance: whole(0, rules.PARTS["compliance"] - rules.COMPUTED_COMPLIANCE),
                  reputation: whole(0, rules.PARTS["reputation"]), comment: str = "") -> Evaluation:
    """Record (or redo) the year's evaluation; `compliance` is the reviewer's part (0–10) of 规范管理."""
    require_login(actor)
    if not is_reviewer(actor):
        raise Forbidden(_("只有审核员可以评价事务所"))
    parts = computed_parts(firm, year)
    score = rules.Score(basic=parts["basic"], performance=parts["performance"], capability=capability,
                        compliance=parts["compliance_computed"] + compliance, reputation=reputation)
    evaluation = db.session.scalar(sa.select(Evaluation).where(Evaluation.firm_id == firm.id, Evaluation.year == year))
    if evaluation is None:
        evaluation = Evaluation(firm_id=firm.id, year=year)
        db.session.add(evaluation)
    for name in rules.PARTS:
        setattr(evaluation, name, getattr(score, name))
    evaluation.total, evaluation.grade = score.total, score.grade
    evaluation.comment, evaluation.evaluator_id = comment or "", actor.id
    db.session.flush()
    audit.record("filing", firm.id, "evaluate", actor=actor, comment=f"{year}: {score.total} {score.grade}")
    return evaluation


def evaluations_of(firm: Firm) -> list[Evaluation]:
    return list(db.session.scalars(sa.select(Evaluation).where(Evaluation.firm_id == firm.id)
                                   .order_by(Evaluation.year.desc())))
