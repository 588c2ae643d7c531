"""Public verification of a registration number: what anyone may know, nothing private."""
import sqlalchemy as sa

from ...core.schema import conform
from ...extensions import db
from .. import rules
from ..models import ContractRegistration


def find_by_number(number: str) -> ContractRegistration | None:
    """The registered (or since cancelled) contract with this 14-digit number, in its latest state."""
    number = conform(rules.Number, number)
    if number is None:  # not a number we give: none registered
        return None
    return db.session.scalar(sa.select(ContractRegistration).where(
        ContractRegistration.number == number, ContractRegistration.kind == "new"))


def public_facts(reg: ContractRegistration) -> dict:
    """The facts a verify page and API show, what proves a certificate authentic: number, validity,
    parties' names, type and date. No amounts (a contract's price is the parties' business), no USCC,
    items, documents, comments, applicant or people."""
    return {
        "number": reg.number, "valid": reg.status == "registered", "status": reg.status,
        "contract_type": reg.contract_type, "subtype": reg.subtype,
        "buyer_name": reg.buyer_name, "seller_name": reg.seller_name,
        "registered_on": reg.registered_on, "amended": reg.amended_at is not None,
        "vat_exempt": reg.vat_exempt,
    }
