"""Subsidy programmes and the ledger's trial balance."""
from .. import ledger
from ..core.permissions import require_role
from ..ledger.schemas import TrialBalanceOut
from ..subsidy import services
from ..subsidy.schemas import ProgrammeList, ProgrammeOut, SubsidyPolicyOut
from .common import api_actor
from .spec import endpoint


@endpoint("/subsidy/programmes", answer=ProgrammeList, tags=["subsidy"])
def subsidy_programmes():
    """Public: how much public money each programme holds, reserved and committed."""
    return ProgrammeList(items=[ProgrammeOut.model_validate(p) for p in services.list_programmes()])


@endpoint("/subsidy/programmes/<int:id>", answer=ProgrammeOut, errors=(404,), tags=["subsidy"])
def subsidy_programme(id):
    """One subsidy programme with its rules (fen, basis points)."""
    return ProgrammeOut.model_validate(services.get_programme(id))


@endpoint("/ledger/trial-balance", answer=TrialBalanceOut, errors=(401, 403), tags=["ledger"])
def ledger_trial_balance():
    """Trial balance of the ledger (finance role)."""
    require_role(api_actor(), "finance")
    return TrialBalanceOut.model_validate(ledger.trial_balance())


@endpoint("/subsidy/policy", answer=SubsidyPolicyOut, errors=(404,), tags=["subsidy"])
def subsidy_policy():
    """Public: the active programme's rules in numbers (rates by verified qualification, caps, who
    qualifies, the provider side); 404 when no programme is active this year."""
    from flask import url_for

    from ..subsidy.services.policy import get_policy
    return SubsidyPolicyOut.of(get_policy(), url_for("verification.mine", _external=True))
