"""Payouts to managing units: their service income and their settled provider subsidy.

A provider is owed the credit balance of `provider_payable` (service fees of paid bookings, user
part and user subsidy together) plus that of `provider_subsidy_payable` (period settlements). A
payout clears both with one entry against `bank`, under a voucher number unique among payouts;
paying again finds nothing owed. A payout recorded in error is reversed (with a reason, once): the
mirror entry is posted and the amount is owed again. The journal is never edited.
"""
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ... import ledger
from ...accounts.models import Organisation
from ...core import audit
from ...core.db import MAX_ID, find
from ...core.errors import Conflict, Invalid, NotFound
from ...core.permissions import require_role
from ...core.timeutil import local_to_utc_naive, utcnow
from ...extensions import db
from ...ledger import Cr, Dr
from ...ledger.models import JournalEntry
from .. import rules
from ..models import Payout
from ..states import PAYOUT, PAYOUT_STATUSES

PAYABLE_ACCOUNTS = ("provider_payable", "provider_subsidy_payable", "provider_receivable")
REASON_MAX = 300


def amounts_owed(org_id: int | None = None) -> list[dict]:
    """[{org_id, name, service, subsidy, total}] for every provider owed money, largest first."""
    by_org: dict[int, dict] = {}
    for org, accounts in ledger.balances_by_org(PAYABLE_ACCOUNTS, org_id).items():
        # payables are credit-normal: what is owed is credits − debits
        by_org[org] = {"org_id": org, "service": -accounts.get("provider_payable", 0),
                       "subsidy": -accounts.get("provider_subsidy_payable", 0),
                       "owed_back": max(accounts.get("provider_receivable", 0), 0)}
    names = dict(db.session.execute(sa.select(Organisation.id, Organisation.name)
                                    .where(Organisation.id.in_(by_org))).all()) if by_org else {}
    rows = []
    for row in by_org.values():
        # A side in debit (say, a refund after a payout) is not netted against the other: it is
        # left for finance to see rather than silently withheld.
        gross = max(row["service"], 0) + max(row["subsidy"], 0)
        # provider subsidy reversed after it was paid out is kept back from the next payout
        row["offset"] = min(row["owed_back"], gross)
        row["total"] = gross - row["offset"]
        if row["total"] > 0:
            rows.append({**row, "name": names.get(row["org_id"], "")})
    return sorted(rows, key=lambda r: (-r["total"], r["org_id"]))


def voucher_or_error(raw: str | None) -> str:
    """The voucher number as stored, or a 422 naming the `voucher` field."""
    try:
        return rules.clean_voucher(raw)
    except ValueError as exc:
        message = {"empty": _("请填写付款凭证号"),
                   "too_long": _("付款凭证号不能超过 %(n)s 个字符", n=rules.VOUCHER_MAX),
                   }.get(str(exc), _("付款凭证号只能包含文字、数字、空格和 - _ / # . : ( )"))
        raise Invalid.field("voucher", message) from None


def _voucher_taken(voucher: str) -> Invalid:
    return Invalid.field("voucher", _("付款凭证号 %(voucher)s 已用于另一笔付款", voucher=voucher))


def pay_out(org_id: int, voucher: str | None, *, actor) -> Payout:
    """Record the payment of everything owed to one provider under `voucher`; return the payout."""
    require_role(actor, "finance")
    voucher = voucher_or_error(voucher)
    org = find(Organisation, org_id, with_for_update=True)  # one payout per unit at a time
    if org is None:
        raise NotFound(_("单位不存在"))
    if db.session.scalar(sa.select(Payout.id).where(sa.func.lower(Payout.voucher) == voucher.lower())):
        raise _voucher_taken(voucher)
    rows = amounts_owed(org_id)
    if not rows:
        raise Conflict(_("该单位没有待支付的款项"))
    service, subsidy, offset = max(rows[0]["service"], 0), max(rows[0]["subsidy"], 0), rows[0]["offset"]
    total = service + subsidy - offset
    entry = ledger.post_entry("payout", [Dr("provider_payable", service, org_id),
                                         Dr("provider_subsidy_payable", subsidy, org_id),
                                         Cr("provider_receivable", offset, org_id),
                                         Cr("bank", total, org_id)],
                              actor=actor, memo=f"支付给 {org.name}，凭证号 {voucher}"[:300])
    payout = Payout(org_id=org_id, voucher=voucher, service=service, subsidy=subsidy, offset=offset, total=total,
                    status="paid", entry_id=entry.id, created_by_id=actor.id)
    try:
        with db.session.begin_nested():  # two officers typing the same voucher at once: one wins
            db.session.add(payout)
            db.session.flush()
    except IntegrityError:
        raise _voucher_taken(voucher) from None
    audit.record("subsidy_payout", payout.id, "record", actor=actor, to_state="paid",
                 comment=f"{total} fen {voucher}")
    audit.record("organisation", org_id, "payout", actor=actor, comment=f"{total} fen {voucher}")
    return payout


def get_payout(payout_id, *, actor, lock: bool = False) -> Payout:
    require_role(actor, "finance")
    payout = find(Payout, payout_id, with_for_update=True, populate_existing=True) if lock else find(Payout, payout_id)
    if payout is None:
        raise NotFound(_("付款记录不存在"))
    return payout


def allowed_actions(payout: Payout, *, actor) -> list[str]:
    """What the actor may do with the payout now (drives the history page's buttons)."""
    may = bool(actor is not None and getattr(actor, "is_authenticated", False) and actor.has_role("finance"))
    return PAYOUT.available(payout, lambda action: may)


def reverse_payout(payout_id: int, reason: str | None, *, actor) -> Payout:
    """Reverse a payout recorded in error: post the mirror of its journal entry (the amount is owed
    to the unit again), mark it reversed with the reason, audited. Once only."""
    require_role(actor, "finance")
    reason = " ".join((reason or "").split())
    if not reason:
        raise Invalid.field("reason", _("请填写冲销原因"))
    if len(reason) > REASON_MAX:
        raise Invalid.field("reason", _("冲销原因不能超过 %(n)s 个字符", n=REASON_MAX))
    payout = get_payout(payout_id, actor=actor, lock=True)  # two reversals at once: the second waits
    if payout.status != "paid":
        raise Conflict(_("付款 %(voucher)s 已冲销", voucher=payout.voucher))
    entry = db.session.get(JournalEntry, payout.entry_id)
    try:
        with db.session.begin_nested():
            mirror = ledger.reverse_entry(entry, actor=actor,
                                          memo=f"冲销付款 {payout.voucher}：{reason}"[:300])
    except IntegrityError:  # the journal's own guard: an entry is reversed at most once
        raise Conflict(_("付款 %(voucher)s 已冲销", voucher=payout.voucher)) from None
    except Invalid as exc:  # reverse_entry found a reversal already posted
        raise Conflict(str(exc.detail)) from None
    payout.reversal_entry_id = mirror.id
    payout.reversal_reason = reason
    payout.reversed_by_id = actor.id
    payout.reversed_at = utcnow()
    PAYOUT.apply(payout, "reversed", actor=actor, comment=reason, action="reverse")
    db.session.flush()
    return payout


def _local_day_start(day: date) -> datetime:
    return local_to_utc_naive(datetime.combine(day, time()))


def list_payouts(*, actor, org: str | None = None, status: str | None = None, voucher: str | None = None,
                 date_from: date | None = None, date_to: date | None = None, page: int = 1,
                 per_page: int = 20) -> tuple[list[Payout], int]:
    """Payouts newest first, filtered by payee name (or #id), status, voucher and local dates
    (inclusive); returns (the page's payouts, how many match)."""
    require_role(actor, "finance")
    q = sa.select(Payout).join(Organisation, Organisation.id == Payout.org_id)
    org = (org or "").strip()
    if org:
        if org.startswith("#") and org[1:].isascii() and org[1:].isdigit() and int(org[1:]) <= MAX_ID:
            q = q.where(Payout.org_id == int(org[1:]))
        else:
            q = q.where(Organisation.name.contains(org, autoescape=True))
    if status:
        if status not in PAYOUT_STATUSES:
            raise Invalid.field("status", _("状态无效"))
        q = q.where(Payout.status == status)
    voucher = (voucher or "").strip()
    if voucher:
        q = q.where(sa.func.lower(Payout.voucher).contains(voucher.lower(), autoescape=True))
    if date_from and date_to and date_from > date_to:
        raise Invalid.field("date_to", _("截止日期不能早于起始日期"))
    if date_from:
        q = q.where(Payout.created_at >= _local_day_start(date_from))
    if date_to:
        q = q.where(Payout.created_at < _local_day_start(date_to + timedelta(days=1)))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(q.order_by(None).subquery()))
    items = db.session.scalars(q.order_by(Payout.created_at.desc(), Payout.id.desc())
                               .offset((page - 1) * per_page).limit(per_page)).all()
    return list(items), int(total or 0)


def batch_rows(*, actor) -> list[list]:
    """The payout batch file finance hands to the bank (批量付款): one line per unit owed money, amounts
    in yuan for the bank and in fen (exact), with the purpose line; the first row is the header."""
    require_role(actor, "finance")
    from .statements import yuan
    header = [_("序号"), _("收款单位"), _("付款金额（元）"), _("应付服务费（元）"), _("应付补贴（元）"),
              _("抵扣应退回补贴（元）"), _("用途"), _("付款金额（分）")]
    rows = [header]
    for n, r in enumerate(amounts_owed(), start=1):
        rows.append([n, r["name"], yuan(r["total"]), yuan(max(r["service"], 0)), yuan(max(r["subsidy"], 0)),
                     yuan(r["offset"]), _("仪器共享服务费及补贴"), r["total"]])
    return rows
