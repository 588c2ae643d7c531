"""Organisation verification: identity, qualification claims and the reviewers' decisions."""
from ..core.permissions import require_login
from ..verification import services
from ..verification.schemas import (
    IdentityIn,
    IdentityOut,
    QualificationDecisionIn,
    QualificationIn,
    QualificationOut,
    VerificationOut,
)
from .common import api_actor
from .spec import endpoint

ERRORS = (401, 403, 404, 409, 422)


def _verification(org) -> VerificationOut:
    ident = services.identity_of(org)
    return VerificationOut(
        org_id=org.id, identity=IdentityOut.model_validate(ident) if ident else None,
        flags=[f.__dict__ for f in services.explain(services.effective_flags(org))],
        qualifications=[QualificationOut.model_validate(q) for q in services.qualifications_of(org)])


@endpoint("/organisations/<int:id>/verification", answer=VerificationOut, errors=(401, 403, 404),
          tags=["verification"])
def organisation_verification(id):
    """The organisation's identity, its qualifications, and the flags that count today (with reasons)."""
    org = services.get_organisation(id, actor=require_login(api_actor()))
    return _verification(org)


@endpoint("/organisations/<int:id>/identity", "PUT", body=IdentityIn, answer=IdentityOut, errors=ERRORS,
          tags=["verification"])
def put_identity(id, json: IdentityIn):
    """The organisation's admin records its USCC (check digit verified), legal name and legal representative."""
    actor = require_login(api_actor())
    org = services.get_organisation(id, actor=actor)
    ident = services.set_identity(org, actor=actor, uscc=json.uscc, legal_name=json.legal_name,
                                  legal_rep=json.legal_rep, legal_rep_id=json.legal_rep_id)
    return IdentityOut.model_validate(ident)


@endpoint("/organisations/<int:id>/qualifications", "POST", body=QualificationIn, answer=QualificationOut,
          status=201, errors=ERRORS, tags=["verification"])
def claim_qualification(id, json: QualificationIn):
    """A member claims sme, high_tech or in_province with evidence uploads; a reviewer decides."""
    actor = require_login(api_actor())
    org = services.get_organisation(id, actor=actor)
    q = services.claim_qualification(org, actor=actor, kind=json.kind, number=json.number,
                                     document_ids=json.document_ids, issued_on=json.issued_on,
                                     valid_until=json.valid_until)
    return QualificationOut.model_validate(q), 201


@endpoint("/qualifications/<int:id>", answer=QualificationOut, errors=(401, 404), tags=["verification"])
def get_qualification(id):
    """A claim (the organisation's members and reviewers)."""
    return QualificationOut.model_validate(services.get_qualification(id, actor=require_login(api_actor())))


def _decide(id, fn, **kwargs):
    actor = require_login(api_actor())
    q = services.get_qualification(id, actor=actor)
    return QualificationOut.model_validate(fn(q, actor=actor, **kwargs))


@endpoint("/qualifications/<int:id>/verify", "POST", body=QualificationDecisionIn, answer=QualificationOut,
          errors=ERRORS, tags=["verification"])
def verify_qualification(id, json: QualificationDecisionIn):
    """A reviewer (of another organisation) verifies a claim; from then on it counts while in force."""
    return _decide(id, services.verify_qualification, comment=json.reason)


@endpoint("/qualifications/<int:id>/reject", "POST", body=QualificationDecisionIn, answer=QualificationOut,
          errors=ERRORS, tags=["verification"])
def reject_qualification(id, json: QualificationDecisionIn):
    """A reviewer rejects a claim; `reason` is required and told to the organisation."""
    return _decide(id, services.reject_qualification, reason=json.reason)


@endpoint("/qualifications/<int:id>/revoke", "POST", body=QualificationDecisionIn, answer=QualificationOut,
          errors=ERRORS, tags=["verification"])
def revoke_qualification(id, json: QualificationDecisionIn):
    """A reviewer revokes a verified qualification (e.g. a cancelled certificate); `reason` is required."""
    return _decide(id, services.revoke_qualification, reason=json.reason)


@endpoint("/qualifications/<int:id>/withdraw", "POST", answer=QualificationOut, errors=ERRORS,
          tags=["verification"])
def withdraw_qualification(id):
    """A member withdraws the organisation's pending claim."""
    return _decide(id, services.withdraw_qualification)
