"""Organisation statements: an organisation's subsidised bookings (as user and as provider: its external
income), its provider settlements (grade and factor shown) and the payouts it received (with their
vouchers) over a period, on the page and as CSV / Excel.

`statement(org_id, period, actor=...)` is the one access rule: finance sees any organisation's
statement, members their own.
"""
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from ...core import exports
from ...core.errors import Forbidden, Invalid
from ...core.money import format_fen
from ...core.permissions import require_login, require_role
from ...extensions import db
from ..models import Payout, Programme, Reservation, Settlement, SettlementLine
from ..states import RESERVATION_STATUSES
from .settlement import statement_period


def statement_columns() -> list[str]:
    """The sheet's header: amounts in yuan for people, then the same amounts in fen (raw, exact)."""
    return [_("日期"), _("预约"), _("角色"), _("对方单位"), _("费用（元）"), _("用户补贴（元）"), _("实付（元）"),
            _("状态"), _("费用（分）"), _("用户补贴（分）"), _("实付（分）")]


def statement_totals_of(rows: list[list]) -> list[dict]:
    """Totals in fen, one per kind of line present (as user, as provider, settled provider subsidy):
    [{kind, label, count, fee, subsidy, paid}]. Kinds are not added together: a provider's settled
    income repeats the fees of its bookings."""
    labels = {"user": _("合计：作为用户"), "provider": _("合计：作为管理单位"), "settlement": _("合计：管理单位补贴结算"),
              "payout": _("合计：收到付款")}
    totals = []
    for kind, label in labels.items():
        mine = [r for r in rows if r[8] == kind]
        if mine:
            totals.append({"kind": kind, "label": label, "count": len(mine), "fee": sum(r[4] for r in mine),
                           "subsidy": sum(r[5] for r in mine), "paid": sum(r[6] for r in mine)})
    return totals


def yuan(fen: int) -> Decimal:
    """Fen as yuan with two decimals, exact (a Decimal, never a float)."""
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


def sheet_rows(rows: list[list]) -> list[list]:
    """Statement rows as the sheet shows them (labels, yuan, then raw fen), and a totals row."""
    out = [[r[0], r[1], r[2], r[3], yuan(r[4]), yuan(r[5]), yuan(r[6]), row_status_label(r[7]), r[4], r[5], r[6]]
           for r in rows]
    for t in statement_totals_of(rows):
        out.append([t["label"], "", "", "", yuan(t["fee"]), yuan(t["subsidy"]), yuan(t["paid"]), "",
                    t["fee"], t["subsidy"], t["paid"]])
    return out


def row_status_label(status: str) -> str:
    """A statement row's status (a reservation's, or "settled" for a settlement) in the interface language."""
    from ...booking.states import status_label
    if status.startswith("payout:"):
        from ..states import payout_status_label
        return payout_status_label(status.split(":", 1)[1])
    label = RESERVATION_STATUSES.get(status)
    return str(label) if label is not None else status_label(status)


def organisation_choices(text: str | None, *, actor, limit: int = 20) -> list[dict]:
    """Organisations whose name contains `text`, for finance's chooser: [{id, name, city}]."""
    from ...accounts.models import Organisation
    require_role(actor, "finance")
    text = " ".join((text or "").split())[:120]
    if not text:
        return []
    found = db.session.execute(sa.select(Organisation.id, Organisation.name, Organisation.city)
                               .where(Organisation.name.contains(text, autoescape=True))
                               .order_by(Organisation.name, Organisation.id).limit(limit)).all()
    return [{"id": i, "name": n, "city": c or ""} for i, n, c in found]


def resolve_organisation(text: str) -> int:
    """The id of the organisation named in the chooser (names are unique); 422 on `org`."""
    from ...accounts.models import Organisation
    text = " ".join((text or "").split())
    org_id = db.session.scalar(sa.select(Organisation.id).where(Organisation.name == text))
    if org_id is None:
        raise Invalid.field("org", _("找不到名为“%(name)s”的单位，请从列表中选择", name=text[:60]))
    return org_id


def may_see_statement(org_id: int, *, actor) -> bool:
    return bool(actor is not None and getattr(actor, "is_authenticated", False)
                and (actor.has_role("finance") or actor.is_member_of(org_id)))


def statement(org_id: int | None, period: str | None, *, actor) -> dict:
    """{org_id, period, rows} of the organisation's statement (`org_id` defaults to the actor's own
    organisation; `period` to the newest programme's year). 403 for others' organisations."""
    require_login(actor)
    org_id = org_id or actor.organisation_id
    if org_id is None:
        raise Invalid.field("org_id", _("请选择单位"))
    if not may_see_statement(org_id, actor=actor):
        raise Forbidden(_("只能查看本单位的对账单"))
    resolved = statement_period(period)
    if resolved is None:
        return {"org_id": org_id, "period": None, "rows": []}
    name, start, end = resolved
    return {"org_id": org_id, "period": name, "rows": statement_rows(org_id, start, end)}


def statement_rows(org_id: int, start: datetime, end: datetime) -> list[list]:
    """The organisation's subsidised bookings in [start, end) as user and as provider, and its
    provider settlements whose period ends in the range: [date, booking, role, counterparty, fee,
    subsidy, paid, status, kind] with amounts in fen and kind one of user / provider / settlement."""
    from ...accounts.models import Organisation
    from ...core.timeutil import to_local
    other = sa.orm.aliased(Organisation)
    rows = []
    for role, mine, theirs in (("user", Reservation.user_org_id, Reservation.provider_org_id),
                               ("provider", Reservation.provider_org_id, Reservation.user_org_id)):
        q = (sa.select(Reservation.committed_at, Reservation.booking_id, other.name, Reservation.fee,
                       Reservation.committed, Reservation.status)
             .join(other, other.id == theirs)
             .where(mine == org_id, Reservation.committed_at >= start, Reservation.committed_at < end)
             .order_by(Reservation.committed_at, Reservation.booking_id))
        role_name = _("用户") if role == "user" else _("管理单位")
        for at, booking_id, name, fee, subsidy, status in db.session.execute(q):
            rows.append([to_local(at).strftime("%Y-%m-%d %H:%M"), booking_id, role_name, name, fee, subsidy,
                         fee - subsidy, status, role])
    q = (sa.select(Settlement.period, SettlementLine.income, SettlementLine.grade, SettlementLine.awarded, Programme)
         .join(Settlement, Settlement.id == SettlementLine.settlement_id)
         .join(Programme, Programme.id == Settlement.programme_id)
         .where(SettlementLine.org_id == org_id, Settlement.period_end > start, Settlement.period_end <= end))
    for period, inc, grade, award, programme in db.session.execute(q):
        factor = programme.grade_factor_bp(grade) / 100
        rows.append([period, "", _("管理单位补贴（%(grade)s 级，系数 %(factor)s%%，对外服务收入 × 补贴比例 %(rate)s%% × 系数）",
                                  grade=grade, factor=f"{factor:g}", rate=f"{programme.provider_rate_bp / 100:g}"),
                     "", inc, award, 0, "settled", "settlement"])
    # payouts received: service income and provider subsidy paid to the unit, with the bank voucher
    q = (sa.select(Payout).where(Payout.org_id == org_id, Payout.created_at >= start, Payout.created_at < end)
         .order_by(Payout.created_at, Payout.id))
    for payout in db.session.scalars(q):
        label = _("收到付款（凭证号 %(voucher)s）", voucher=payout.voucher)
        if payout.offset:
            label += _("，抵扣应退回补贴 %(amount)s", amount=format_fen(payout.offset))
        rows.append([to_local(payout.created_at).strftime("%Y-%m-%d %H:%M"), "", label, "", payout.service,
                     payout.subsidy, payout.total, f"payout:{payout.status}", "payout"])
    return rows


def statement_csv(rows: list[list]) -> bytes:
    return exports.to_csv([statement_columns(), *sheet_rows(rows)])


def statement_xlsx(rows: list[list], title: str = "statement") -> bytes:
    return exports.to_xlsx([statement_columns(), *sheet_rows(rows)], title)


attachment = exports.attachment


def statement_totals(org_id: int, start: datetime, end: datetime) -> list[dict]:
    """Per-organisation sums (set-based) for every org with activity in the range."""
    rows = db.session.execute(sa.text(
        "SELECT org_id, role, COUNT(*) AS n, SUM(fee) AS fee, SUM(subsidy) AS subsidy FROM ("
        " SELECT user_org_id AS org_id, 'user' AS role, fee, committed AS subsidy, committed_at"
        "   FROM subsidy_reservations UNION ALL"
        " SELECT provider_org_id, 'provider', fee, committed, committed_at FROM subsidy_reservations) s"
        " WHERE committed_at >= :s AND committed_at < :e AND (CAST(:org AS INTEGER) IS NULL OR org_id = CAST(:org AS INTEGER))"
        " GROUP BY org_id, role ORDER BY org_id, role"), {"s": start, "e": end, "org": org_id}).all()
    return [dict(r._mapping) for r in rows]
