"""Related parties: one function over the parent chain, the USCC root, the legal representative and
the members (see rules.related_reason for the definitions)."""
import sqlalchemy as sa

from ...accounts.models import Organisation, User
from ...extensions import db
from .. import rules
from .identity import identity_of

MAX_DEPTH = 10  # a parent chain longer than this is cut (and would be a data error)


def lineage(org) -> tuple[int, ...]:
    """The ids of org's parent, grandparent, ... (nearest first), cycles cut."""
    seen, out = {org.id}, []
    parent_id = org.parent_id
    while parent_id is not None and parent_id not in seen and len(out) < MAX_DEPTH:
        out.append(parent_id)
        seen.add(parent_id)
        parent_id = db.session.scalar(db.select(Organisation.parent_id).where(Organisation.id == parent_id))
    return tuple(out)


# The founders and investors a company declared (requests.models.OrgStake). The requests domain sits
# above this one, so the table is read by name here rather than through its model.
_STAKES = sa.table("org_stakes", sa.column("company_org_id"), sa.column("holder_org_id"), sa.column("holder_name"),
                   sa.column("holder_id_hash"))


def org_facts(org) -> rules.OrgFacts:
    ident = identity_of(org)
    members = db.session.execute(db.select(User.phone, User.email, User.name)
                                 .where(User.organisation_id == org.id)).all()
    keys = {rules.phone_key(m.phone) for m in members} | {rules.email_key(m.email) for m in members}
    stakes = db.session.execute(sa.select(_STAKES.c.holder_org_id, _STAKES.c.holder_name)
                                .where(_STAKES.c.company_org_id == org.id)).all()
    return rules.OrgFacts(
        id=org.id, lineage=lineage(org), uscc_root=ident.uscc_root if ident else None,
        legal_rep=rules.person_key(ident.legal_rep) if ident else None,
        legal_rep_id=ident.legal_rep_id if ident else None,
        member_keys=frozenset(k for k in keys if k),
        member_names=frozenset(k for k in (rules.person_key(m.name) for m in members) if k),
        stake_orgs=frozenset(s.holder_org_id for s in stakes if s.holder_org_id),
        stake_people=frozenset(k for k in (rules.person_key(s.holder_name) for s in stakes
                                           if not s.holder_org_id) if k))


def is_state_owned(org, declared: bool = False) -> bool:
    """Whether `org` sells state-owned technology (rules.state_owned on its checked identity and its
    verified state-owned claim)."""
    from .flags import effective_flags

    ident = identity_of(org)
    return rules.state_owned(declared, ident.uscc if ident else None, org.kind,
                             verified_claim=effective_flags(org).state_owned)


def related_reason(a, b) -> str | None:
    """Why organisations a and b are related parties (a rules.RELATIONS code), or None."""
    if a is None or b is None:
        return None
    if a.id == b.id:
        return "same_organisation"
    return rules.related_reason(org_facts(a), org_facts(b))
