"""Payouts to managing units: their service income and their settled provider subsidy.

A provider is owed the credit balance of `provider_payable` (service fees of paid bookings, user
part and user subsidy together) plus that of `provider_subsidy_payable` (period settlements). A
payout clears both with one entry against `bank`; paying again finds nothing owed.
"""
import sqlalchemy as sa
from flask_babel import gettext as _

from .. import ledger
from ..accounts.models import Organisation
from ..core import audit
from ..core.errors import Conflict, NotFound
from ..core.permissions import require_role
from ..core.schema import MAX_ID
from ..extensions import db
from ..ledger import Cr, Dr

PAYABLE_ACCOUNTS = ("provider_payable", "provider_subsidy_payable")


def amounts_owed(org_id: int | None = None) -> list[dict]:
    """[{org_id, name, service, subsidy, total}] for every provider owed money, largest first."""
    by_org: dict[int, dict] = {}
    for org, accounts in ledger.balances_by_org(PAYABLE_ACCOUNTS, org_id).items():
        # payables are credit-normal: what is owed is credits − debits
        by_org[org] = {"org_id": org, "service": -accounts.get("provider_payable", 0),
                       "subsidy": -accounts.get("provider_subsidy_payable", 0)}
    names = dict(db.session.execute(sa.select(Organisation.id, Organisation.name)
                                    .where(Organisation.id.in_(by_org))).all()) if by_org else {}
    rows = []
    for row in by_org.values():
        row["total"] = row["service"] + row["subsidy"]
        if row["service"] > 0 or row["subsidy"] > 0:
            rows.append({**row, "name": names.get(row["org_id"], "")})
    return sorted(rows, key=lambda r: (-r["total"], r["org_id"]))


def pay_out(org_id: int, reference: str = "", *, actor) -> dict:
    """Record the payment of everything owed to one provider; return what was paid."""
    require_role(actor, "finance")
    if not 0 < org_id <= MAX_ID:
        raise NotFound(_("单位不存在"))
    org = db.session.execute(sa.select(Organisation).where(Organisation.id == org_id)
                             .with_for_update()).scalar_one_or_none()  # one payout per unit at a time
    if org is None:
        raise NotFound(_("单位不存在"))
    rows = amounts_owed(org_id)
    if not rows:
        raise Conflict(_("该单位没有待支付的款项"))
    # A side in debit (say, a refund after a payout) is not netted against the other: it is
    # left for finance to see rather than silently withheld.
    service, subsidy = max(rows[0]["service"], 0), max(rows[0]["subsidy"], 0)
    total = service + subsidy
    entry = ledger.post_entry("payout", [Dr("provider_payable", service, org_id),
                                         Dr("provider_subsidy_payable", subsidy, org_id),
                                         Cr("bank", total, org_id)],
                              actor=actor, memo=f"支付给 {org.name} {reference}".strip()[:300])
    audit.record("organisation", org_id, "payout", actor, comment=f"{total} fen {reference}".strip())
    return {"org_id": org_id, "name": org.name, "service": service, "subsidy": subsidy, "total": total,
            "entry_id": entry.id}
