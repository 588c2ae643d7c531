"""Every request kind, declared once: what it asks of (resource type), its fields (schema + form), its
eligibility rule (rules.py), the facts that rule reads, and its steps (states.py). The engine in
services/ does the rest for all of them."""
from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from ..core.statemachine import StateMachine
from . import forms, rules, schemas
from . import facts
from .states import GENERIC, LOAN, SECONDMENT


@dataclass(frozen=True)
class Kind:
    key: str
    label: object                 # lazy string
    action_label: object          # the button on the resource's page
    resource_type: str
    platform: str
    details: type                 # pydantic schema of the kind's fields
    form: type                    # its web form
    rule: Callable[[object], dict]
    facts: Callable               # facts(ctx) -> the rule's dataclass
    machine: StateMachine = GENERIC
    applies: Callable = lambda resource: True   # does this listing take this kind of request?


def _finance(kind):
    return lambda r: getattr(r, "product_kind", None) == kind


KINDS: dict[str, Kind] = {k.key: k for k in (
    Kind("incubation", _l("入驻孵化申请"), _l("申请入驻"), "incubator", "startup",
         schemas.IncubationDetails, forms.IncubationForm, rules.incubation, facts.incubation),
    Kind("loan", _l("科技贷款申请"), _l("申请贷款"), "finance", "finance",
         schemas.LoanDetails, forms.LoanForm, rules.loan, facts.loan, LOAN, _finance("loan")),
    Kind("equity", _l("股权融资需求"), _l("提出股权融资需求"), "finance", "finance",
         schemas.EquityDetails, forms.EquityForm, rules.equity, facts.equity, applies=_finance("equity_fund")),
    Kind("finance_service", _l("科技保险与融资担保申请"), _l("申请保险或担保"), "finance", "finance",
         schemas.FinanceServiceDetails, forms.FinanceServiceForm, rules.finance_service, facts.finance_service,
         applies=lambda r: getattr(r, "product_kind", None) in ("insurance", "guarantee")),
    Kind("consulting", _l("专家咨询"), _l("预约咨询"), "talent", "talent",
         schemas.ConsultingDetails, forms.ConsultingForm, rules.consulting, facts.consulting,
         applies=lambda r: bool(r.consulting)),
    Kind("secondment", _l("科技副总选派"), _l("申请选派科技副总"), "talent", "talent",
         schemas.SecondmentDetails, forms.SecondmentForm, rules.secondment, facts.secondment, SECONDMENT,
         applies=lambda r: bool(r.secondment)),
    Kind("data_access", _l("数据获取申请"), _l("申请获取数据"), "dataset", "sharing",
         schemas.DataAccessDetails, forms.DataAccessForm, rules.data_access, facts.data_access,
         applies=lambda r: r.access_level == "on_request"),
    Kind("material", _l("实验材料申请"), _l("申请材料"), "bioresource", "sharing",
         schemas.MaterialDetails, forms.MaterialForm, rules.material, facts.material),
)}


def kinds_for(resource) -> list[Kind]:
    """The kinds of request a published listing takes."""
    return [k for k in KINDS.values() if k.resource_type == resource.type and k.applies(resource)]
