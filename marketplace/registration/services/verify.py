"""Public verification of a registration number: what anyone may know, nothing private."""
import sqlalchemy as sa

from ...core.schema import conform
from ...extensions import db
from .. import rules
from ..models import ContractRegistration


def find_by_number(number: str, code: str | None) -> ContractRegistration | None:
    """The registered (or since cancelled) contract with this 14-digit number, in its latest state, when
    `code` is the check code printed on its certificate: numbers are consecutive, so a number alone would
    let anyone list the register. A wrong code answers as an unknown number."""
    number = conform(rules.Number, number)
    if number is None:  # not a number we give: none registered
        return None
    reg = db.session.scalar(sa.select(ContractRegistration).where(
        ContractRegistration.number == number, ContractRegistration.kind == "new"))
    return reg if reg is not None and rules.check_code_matches(reg.check_code, code) else None


def verify_limit() -> str:
    """Public look-ups per address (REGISTRATION_VERIFY_LIMIT), pages and API together."""
    from flask import current_app
    return current_app.config["REGISTRATION_VERIFY_LIMIT"]


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
