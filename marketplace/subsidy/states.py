"""The subsidy's state machines and labels: reservations (one per booking) and programmes.

A reservation holds a booking's user-side subsidy: reserved at approval, released on rejection,
cancellation or no-show, committed when the booking is paid, refunded when the payment is; reserved
again when the lab corrects a no-show into a completed booking.
A programme is active (bookings of its year are subsidised) or inactive. Every move is audited.
"""
from flask_babel import lazy_gettext as _l

from ..core.statemachine import StateMachine

RESERVATION_STATUSES = {
    "reserved": _l("已预留"),
    "released": _l("已释放"),
    "committed": _l("已确认"),
    "refunded": _l("已退回"),
}
RESERVATION = StateMachine("subsidy_reservation", {
    "reserved": {"released", "committed"},
    "committed": {"refunded"},
    "released": {"reserved"},
    "refunded": set(),
}, actions={"release": "released", "commit": "committed", "refund": "refunded", "reinstate": "reserved"})

PROGRAMME_STATES = {"active": _l("进行中"), "inactive": _l("已停用")}
PROGRAMME = StateMachine("subsidy_programme", {"active": {"inactive"}, "inactive": {"active"}}, field="state",
                         actions={"deactivate": "inactive", "activate": "active"})

GRADES = {"A": _l("优秀"), "B": _l("良好"), "C": _l("合格"), "D": _l("不合格")}
PERIODS = {"quarter": _l("按季度"), "half": _l("按半年"), "year": _l("按年度")}


def grade_label(grade: str) -> str:
    label = GRADES.get(grade)
    return str(label) if label is not None else grade

# A payout to a managing unit: recorded as paid (with its voucher), or reversed by a mirror journal
# entry that puts the amount back as owed (once; the reason is audited).
PAYOUT_STATUSES = {"paid": _l("已付款"), "reversed": _l("已冲销")}
PAYOUT = StateMachine("subsidy_payout", {"paid": {"reversed"}, "reversed": set()},
                      actions={"reverse": "reversed"})


def payout_status_label(status: str) -> str:
    label = PAYOUT_STATUSES.get(status)
    return str(label) if label is not None else status
