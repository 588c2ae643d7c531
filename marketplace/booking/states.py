"""Booking states and the transition table (no imports: used by pure rules)."""

# -- state machine table ---------------------------------------------------------------------------

STATUSES = {
    "requested": ("待审批", "Requested"),
    "approved": ("已批准", "Approved"),
    "rejected": ("已拒绝", "Rejected"),
    "in_use": ("使用中", "In use"),
    "completed": ("已完成", "Completed"),
    "settled": ("已结算", "Settled"),
    "cancelled": ("已取消", "Cancelled"),
    "no_show": ("爽约", "No show"),
}
# Bookings in these states hold their time slot (no two of one instrument may overlap).
ACTIVE_STATUSES = ("requested", "approved", "in_use")

TRANSITIONS: dict[str, set[str]] = {
    "requested": {"approved", "rejected", "cancelled"},
    "approved": {"in_use", "cancelled", "no_show"},
    "in_use": {"completed"},
    "completed": {"settled"},
    "settled": set(),
    "rejected": set(),
    "cancelled": set(),
    "no_show": set(),
}
