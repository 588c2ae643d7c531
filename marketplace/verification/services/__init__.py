"""Verification services: identity, qualification claims and review, effective flags, related parties.

Services take the entity first and the actor keyword-only, check permission first, raise
core.errors and only flush.
"""
from .flags import FlagExplanation, claim_facts, effective_flags, explain
from .identity import get_organisation, identity_of, seed_identity, set_identity
from .messages import FLAG_MESSAGES, HOW_TO, RELATION_MESSAGES, RULE_MESSAGES
from .qualifications import (
                             allowed_actions,
                             claim_qualification,
                             get_qualification,
                             is_reviewer,
                             qualifications_of,
                             reject_qualification,
                             require_viewer,
                             review_queue,
                             revoke_qualification,
                             today,
                             verify_qualification,
                             withdraw_qualification,
)
from .related import is_state_owned, lineage, org_facts, related_reason

__all__ = [
    "FLAG_MESSAGES", "FlagExplanation", "HOW_TO", "RELATION_MESSAGES", "RULE_MESSAGES", "allowed_actions",
    "claim_facts", "claim_qualification", "effective_flags", "explain", "get_organisation", "get_qualification",
    "identity_of", "is_reviewer", "lineage", "org_facts", "qualifications_of", "reject_qualification",
    "is_state_owned", "related_reason", "require_viewer", "review_queue", "revoke_qualification", "seed_identity",
    "set_identity",
    "today", "verify_qualification", "withdraw_qualification",
]
