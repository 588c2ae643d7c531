"""Applications by the seller side: validate, create, edit, submit; changes after registration."""
from datetime import date

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ...core.db import find
from ...core.errors import Conflict, Forbidden, Invalid
from ...core.permissions import require_login
from ...core.timeutil import to_local, utcnow
from ...extensions import db
from .. import rules, signals
from ..models import PARTY_FIELDS, ContractRegistration, RegistrationDocument, RegistrationItem
from ..schemas import ApplicationIn, application_in
from ..states import EDITABLE, MACHINE
from .access import allowed_actions, is_applicant
from .prefill import prefill_for_deal

MAX_ITEMS = 50
MAX_DOCUMENTS = 50


def today_local() -> date:
    return to_local(utcnow()).date()


def config(name: str):
    return current_app.config[name]


# -- the application's columns ---------------------------------------------------------------------

def _columns(fields: ApplicationIn) -> dict:
    """The checked fields (ApplicationIn) as the application's columns, 技术交易额 computed."""
    clean = fields.model_dump(include={"project_name", "contract_type", "subtype", "signed_on", "valid_until",
                                       "tech_field", "ip_kind", "total_amount", "document_ids"})
    for side in ("buyer", "seller"):
        party = getattr(fields, side)
        clean.update({f"{side}_name": party.name, f"{side}_uscc": party.uscc, f"{side}_city_code": party.city_code,
                      f"{side}_nature": party.nature})
    clean["items"] = [(item.name, item.amount) for item in fields.non_tech_items]
    clean["tech_amount"] = rules.tech_amount(fields.total_amount, [item.amount for item in fields.non_tech_items])
    clean["non_tech_amount"] = fields.total_amount - clean["tech_amount"]
    return clean


def _name_key(name: str | None) -> str:
    from ...verification.rules import person_key
    return person_key(name) or ""


def _check_applicant_is_seller(clean: dict, *, actor) -> None:
    """The seller side registers: the seller named must be the applicant's own organisation, by its checked
    USCC and its name (registered or legal). Naming another company as seller is refused."""
    from ...verification.services import effective_flags, identity_of
    org = actor.organisation
    ident = identity_of(org) if org is not None else None
    if ident is None:
        raise Invalid.field("seller.uscc", _("申请单位尚未登记统一社会信用代码，请先在单位认证中填写"))
    errors = {}
    if clean["seller_uscc"] != ident.uscc:
        errors["seller.uscc"] = [_("卖方必须是申请单位本身（统一社会信用代码应为 %(uscc)s）", uscc=ident.uscc)]
    if _name_key(clean["seller_name"]) not in {_name_key(org.name), _name_key(ident.legal_name)}:
        errors["seller.name"] = [_("卖方名称应与申请单位的名称一致")]
    if not errors and ident.uscc[2:4] == "32" and not effective_flags(org).in_province:
        # A Jiangsu code is anyone's to type: it is the applicant's once its business licence was verified.
        errors["seller.uscc"] = [_("申请单位的营业执照尚未核验，请先在单位认证中申报“省内注册单位”")]
    if errors:
        raise Invalid(_("只能登记本单位作为卖方的合同"), errors)


# The deal fixes who contracted, the type and the 合同成交额; how much of it is technology (the non-technical
# items) is what the registrar determines (认定) and may have corrected on return.
DEAL_FIXED = ("contract_type", "total_amount", "buyer_uscc", "buyer_name", "seller_uscc", "seller_name")


def _check_cited_deal(clean: dict, deal_id: int, *, actor) -> None:
    """An application citing a signed deal declares that deal's parties and amounts, nothing else."""
    fields = prefill_for_deal(deal_id, actor=actor)
    if fields is None:
        raise Invalid.field("deal_id", _("没有可登记的已签订交易"))
    deal = {"contract_type": fields.get("contract_type"), "total_amount": fields.get("total_amount")}
    for side in ("buyer", "seller"):
        party = fields.get(side) or {}
        deal[f"{side}_uscc"] = rules.normalise_uscc(party.get("uscc") or "")
        deal[f"{side}_name"] = party.get("name")
    errors = {}
    for key in DEAL_FIXED:
        if (_name_key(clean[key]) != _name_key(deal[key])) if key.endswith("_name") else clean[key] != deal[key]:
            field = key.replace("_", ".", 1) if key.startswith(("buyer_", "seller_")) else key
            errors[field] = [_("与所引用交易签订的合同不一致")]
    if errors:
        raise Invalid(_("引用交易的登记申请须与交易的双方和金额一致"), errors)


def _check_documents(document_ids: list[int], *, actor):
    """Document ids must be uploads of the applicant (or of its organisation): others' are refused."""
    from ...uploads.services import require_uploads
    require_uploads(document_ids, actor=actor, field="document_ids")


def _assign(reg: ContractRegistration, clean: dict):
    for key, value in clean.items():
        if key not in ("items", "document_ids"):
            setattr(reg, key, value)
    reg.items = [RegistrationItem(position=i, name=name, amount=amount)
                 for i, (name, amount) in enumerate(clean["items"])]
    reg.document_rows = [RegistrationDocument(upload_id=u) for u in clean["document_ids"]]


def fields_of(reg: ContractRegistration) -> dict:
    """An application's fields in the shape ApplicationIn reads (for PATCH and change applications)."""
    out = {k: getattr(reg, k) for k in ("project_name", "contract_type", "subtype", "signed_on", "valid_until",
                                        "tech_field", "ip_kind", "total_amount", "deal_id")}
    for side in ("buyer", "seller"):
        out[side] = {f: getattr(reg, f"{side}_{f}") for f in PARTY_FIELDS}
    out["non_tech_items"] = reg.non_tech_items
    out["document_ids"] = reg.document_ids
    return out


def applicant_defaults(*, actor) -> dict:
    """The seller side's fields from the applicant's own organisation (a hand-entered form starts there)."""
    org = getattr(actor, "organisation", None)
    if org is None:
        return {}
    from ..reference import JIANGSU_CITY_CODES
    codes = {name: code for code, name in JIANGSU_CITY_CODES.items()}
    nature = org.kind if org.kind in ("enterprise", "research_institute", "university") else "other"
    return {"seller": {"name": org.name, "uscc": org.credit_code or "", "city_code": codes.get(org.city, ""),
                       "nature": nature}}


# -- create, edit, submit --------------------------------------------------------------------------

def create_application(fields: ApplicationIn | None, *, actor, kind: str = "new", amends_id: int | None = None,
                       deal_id: int | None = None) -> ContractRegistration:
    """A draft application by a member of the applying (seller-side) organisation, citing the signed
    `deal_id` or not. `kind` amend/cancel references a registered contract of the same organisation by
    `amends_id`; a cancellation carries the registered fields (its `fields` give the documents only)."""
    require_login(actor)
    if actor.organisation_id is None:
        raise Forbidden(_("只有单位成员可以申请登记"))
    amends = None
    if kind != "new":
        amends = _registered_original(amends_id, actor=actor)
        if kind == "cancel":  # a cancellation carries the registered figures unchanged
            fields = application_in({**fields_of(amends), "document_ids": fields.document_ids if fields else []})
    elif amends_id is not None:
        raise Invalid.field("amends_id", _("只有变更或注销申请引用已登记的合同"))
    if fields is None:
        raise Invalid(_("输入有误，请检查标出的字段"), {"body": [_("必填")]})
    if deal_id is not None and kind == "new":
        if prefill_for_deal(deal_id, actor=actor) is None:
            raise Invalid.field("deal_id", _("没有可登记的已签订交易"))
        if db.session.scalar(sa.select(sa.func.count()).where(
                ContractRegistration.deal_id == deal_id, ContractRegistration.kind == "new",
                ContractRegistration.status.notin_(("refused", "cancelled")))):
            raise Conflict(_("该交易已申请登记"))
    clean = _columns(fields)
    _check_applicant_is_seller(clean, actor=actor)
    if deal_id is not None and kind == "new":
        _check_cited_deal(clean, deal_id, actor=actor)
    _check_documents(clean["document_ids"], actor=actor)
    reg = ContractRegistration(kind=kind, amends_id=getattr(amends, "id", None), deal_id=deal_id,
                               applicant_org_id=actor.organisation_id, created_by_id=actor.id, status="draft")
    _assign(reg, clean)
    db.session.add(reg)
    db.session.flush()
    from ...core.audit import record
    record(MACHINE.entity, reg.id, "create", actor=actor, to_state="draft")
    return reg


def _registered_original(amends_id, *, actor) -> ContractRegistration:
    original = find(ContractRegistration, amends_id)
    if original is None or not is_applicant(original, actor=actor):
        raise Invalid.field("amends_id", _("没有这个已登记的合同"))
    if original.kind != "new" or original.status != "registered":
        raise Invalid.field("amends_id", _("只能变更或注销已登记的合同"))
    pending = db.session.scalar(sa.select(sa.func.count()).where(
        ContractRegistration.amends_id == original.id,
        ContractRegistration.status.in_(("draft", "submitted", "returned"))))
    if pending:
        raise Conflict(_("该合同已有一份未办结的变更或注销申请"))
    return original


def update_application(reg: ContractRegistration, fields: ApplicationIn, *, actor) -> ContractRegistration:
    """Edit a draft or a returned application (the applicant only); `fields` holds every field (a
    cancellation takes only its documents from them)."""
    if not is_applicant(reg, actor=actor):
        raise Forbidden(_("只有申请单位可以修改申请"))
    if reg.status not in EDITABLE:
        raise Conflict(_("只有草稿或退回补正的申请可以修改"))
    if reg.kind == "cancel":
        fields = application_in({**fields_of(reg), "document_ids": fields.document_ids})
    clean = _columns(fields)
    _check_applicant_is_seller(clean, actor=actor)
    if reg.deal_id is not None and reg.kind == "new":
        _check_cited_deal(clean, reg.deal_id, actor=actor)
    _check_documents(clean["document_ids"], actor=actor)
    _assign(reg, clean)
    reg.buyer_confirmed_at = reg.buyer_confirmed_by_id = None  # the buyer confirmed the old text, not this
    db.session.flush()
    return reg


def submit_application(reg: ContractRegistration, *, actor, today: date | None = None) -> ContractRegistration:
    """Submit (or resubmit after 补正): the clock starts afresh from today."""
    if "submit" not in allowed_actions(reg, actor=actor):
        raise Forbidden(_("只有申请单位可以提交申请")) if not is_applicant(reg, actor=actor) else \
            Conflict(_("该申请现在不能提交"))
    if reg.kind != "new":
        _check_original_still_registered(reg)
    resubmission = reg.status == "returned"
    day = today or today_local()
    MACHINE.apply(reg, "submitted", actor=actor, action="resubmit" if resubmission else "submit")
    reg.submitted_on = day
    from .confirmation import confirm_from_deal
    confirm_from_deal(reg, actor=actor)
    reg.due_on, reg.due_provisional = rules.due_date(
        day, reg.tech_amount, normal=config("REGISTRATION_REVIEW_DAYS"),
        expert=config("REGISTRATION_EXPERT_REVIEW_DAYS"),
        expert_threshold=config("REGISTRATION_EXPERT_THRESHOLD"))
    db.session.flush()
    signals.registration_submitted.send(reg, actor=actor)
    return reg


def _check_original_still_registered(reg: ContractRegistration):
    if reg.amends is None or reg.amends.status != "registered":
        raise Conflict(_("被变更或注销的合同已不在登记状态"))
