"""Contract registration's queues on the workbench: applications the registrar must decide within
the statutory working days, and applications returned to their applicant for correction."""
import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..core import nav, workbench
from ..core.money import format_fen
from ..extensions import db
from .models import ContractRegistration
from .services.access import is_registrar


def _registrar(user) -> bool:
    return is_registrar(actor=user)


def _submitted():
    return sa.select(ContractRegistration).where(ContractRegistration.status == "submitted")


def _item(reg: ContractRegistration, kind: str, due=None) -> workbench.Item:
    return workbench.Item(kind, reg.id, reg.project_name, workbench.day_start(reg.submitted_on) or reg.updated_at,
                          url_for("registration.detail", registration_id=reg.id), due=due,
                          note=_("%(seller)s → %(buyer)s · %(amount)s", seller=reg.seller_name,
                                 buyer=reg.buyer_name, amount=format_fen(reg.total_amount)))


def _items(user, limit: int) -> list[workbench.Item]:
    from .services import queue
    return [_item(reg, "registration", reg.due_on) for reg, _left in queue(actor=user, limit=limit)]


def _returned(user):
    return sa.select(ContractRegistration).where(ContractRegistration.status == "returned",
                                                 ContractRegistration.applicant_org_id == user.organisation_id)


def _returned_items(user, limit: int) -> list[workbench.Item]:
    regs = db.session.scalars(_returned(user).order_by(ContractRegistration.updated_at, ContractRegistration.id)
                              .limit(limit))
    return [_item(reg, "registration_returned") for reg in regs]


def _to_confirm(user):
    from .services.confirmation import waiting_for_us
    return waiting_for_us(actor=user)


def _to_confirm_count(user) -> int:
    query = _to_confirm(user)
    return 0 if query is None else workbench.count_rows(query)


def _to_confirm_items(user, limit: int) -> list[workbench.Item]:
    query = _to_confirm(user)
    if query is None:
        return []
    regs = db.session.scalars(query.order_by(ContractRegistration.submitted_on, ContractRegistration.id).limit(limit))
    return [_item(reg, "registration_confirm", reg.due_on) for reg in regs]


def register():
    workbench.add_queue("registration", _l("待审查合同登记"), "registration.queue", who=_registrar,
                        count=lambda user: workbench.count_rows(_submitted()), items=_items, priority=15)
    workbench.add_queue("registration_returned", _l("退回补正的合同登记"), "registration.mine", who=nav.org_member,
                        count=lambda user: workbench.count_rows(_returned(user)), items=_returned_items,
                        priority=30, show_empty=False)
    workbench.add_queue("registration_confirm", _l("待本单位确认的合同登记"), "registration.mine", who=nav.org_member,
                        count=_to_confirm_count, items=_to_confirm_items, priority=25, show_empty=False,
                        badge=False)
