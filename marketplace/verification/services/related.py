"""Related parties: one function over the parent chain, the USCC root, the legal representative and
the members (see rules.related_reason for the definitions)."""
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


def org_facts(org) -> rules.OrgFacts:
    ident = identity_of(org)
    phones = db.session.scalars(db.select(User.phone).where(User.organisation_id == org.id,
                                                            User.phone.is_not(None))).all()
    return rules.OrgFacts(
        id=org.id, lineage=lineage(org), uscc_root=ident.uscc_root if ident else None,
        legal_rep=ident.legal_rep_key if ident else None, legal_rep_id=ident.legal_rep_id if ident else None,
        member_keys=frozenset(k for k in map(rules.phone_key, phones) if k))


def related_reason(a, b) -> str | None:
    """Why organisations a and b are related parties (a rules.RELATIONS code), or None."""
    if a is None or b is None:
        return None
    if a.id == b.id:
        return "same_organisation"
    return rules.related_reason(org_facts(a), org_facts(b))
