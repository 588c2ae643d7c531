"""Booking operations, split by sub-entity. Each takes the entity first and the actor keyword-only
(`approve_booking(booking, actor=user)`), checks permission, validates, changes state, and only
flushes: the caller's unit of work commits once. Signals are sent after the change is flushed,
inside the same transaction; a receiver raising DomainError aborts the operation.

    lookups      finding instruments and bookings, visibility, rules in force, free time, week calendar
    requests     quoting and requesting a booking
    capture      usage reported by the instrument's PC with its token
    corrections  the lab's corrections of a no-show or a usage record within 3 working days
    downtime     maintenance and incidents: blackouts, affected bookings moved or cancelled free
    series       weekly recurring bookings requested, approved and cancelled together
    usage        the one check of a usage record
    transitions  approve, reject, cancel, check in, complete, settle; allowed_actions
    sweeps       the scheduled no-show / lapse sweep and reminders (the only writer of no-shows)
    ratings      rating a service, rating averages
    settings     provider settings, blackouts, qualified users
    training     training requests → qualification with expiry, the renewal reminder
    queries      lists and counts for pages, by effective status
"""
from .capture import (
                      captured_usage,
                      has_instrument_token,
                      instrument_for_token,
                      is_instrument_token,
                      regenerate_instrument_token,
                      report_session,
)
from .corrections import correct_booking, correction_deadline, may_correct
from .downtime import (
                      affected_bookings,
                      affected_by_downtime,
                      confirm_downtime,
                      current_downtime,
                      downtime_over,
                      fix_downtime,
                      get_downtime,
                      instrument_downtime,
                      move_booking,
                      record_downtime,
)
from .lookups import (
                      MAX_QUERY_DAYS,
                      availability,
                      busy_between,
                      can_view,
                      checkin_note,
                      drop_off_slot,
                      effective_rules,
                      effective_status,
                      get_booking,
                      get_instrument,
                      get_instrument_for_booking,
                      is_provider_member,
                      is_qualified,
                      may_self_operate,
                      needs_qualification,
                      offline_reason,
                      provider_members,
                      service_mode_of,
                      takes_bookings,
                      week_calendar,
)
from .queries import (
                      VIEWS,
                      count_to_pay,
                      just_created,
                      org_instruments,
                      owes,
                      provider_bookings,
                      provider_counts,
                      user_bookings,
)
from .ratings import rate_booking, rating_summary
from .requests import quote_booking, request_booking
from .series import approve_series, cancel_series, get_series, request_series, series_bookings
from .settings import (
                      add_blackout,
                      get_or_create_settings,
                      qualify_user,
                      remove_blackout,
                      revoke_qualification,
                      settings_page,
                      update_settings,
)
from .sweeps import has_overdue, mark_no_shows, send_reminders
from .target import booking_target
from .training import (
                      complete_training,
                      decline_training,
                      get_training,
                      open_request,
                      qualification_of,
                      remind_expiring,
                      request_training,
                      schedule_training,
                      training_page,
                      withdraw_training,
)
from .transitions import (
                      allowed_actions,
                      approve_booking,
                      cancel_booking,
                      check_in,
                      complete_booking,
                      decide_extension,
                      mark_refunded,
                      record_cancel_fee_paid,
                      reject_booking,
                      settle_booking,
)

__all__ = [
    "MAX_QUERY_DAYS", "add_blackout", "allowed_actions", "approve_booking", "availability", "busy_between",
    "VIEWS", "can_view", "cancel_booking", "check_in", "checkin_note", "complete_booking", "count_to_pay",
    "decide_extension", "drop_off_slot", "effective_rules", "effective_status", "just_created", "owes",
    "booking_target", "get_booking", "get_instrument", "get_instrument_for_booking", "get_or_create_settings", "has_overdue", "is_provider_member",
    "is_qualified", "mark_no_shows", "mark_refunded", "needs_qualification", "service_mode_of", "takes_bookings", "org_instruments", "provider_bookings", "provider_counts",
    "provider_members", "qualify_user", "quote_booking", "rate_booking", "rating_summary",
    "record_cancel_fee_paid", "reject_booking", "remove_blackout", "request_booking", "revoke_qualification",
    "complete_training", "decline_training", "get_training", "open_request", "qualification_of",
    "remind_expiring", "request_training", "schedule_training", "training_page", "withdraw_training",
    "captured_usage", "has_instrument_token", "instrument_for_token", "is_instrument_token",
    "regenerate_instrument_token", "report_session",
    "approve_series", "cancel_series", "get_series", "request_series", "series_bookings",
    "offline_reason", "affected_bookings", "affected_by_downtime", "confirm_downtime", "current_downtime", "downtime_over", "fix_downtime",
    "get_downtime", "instrument_downtime", "move_booking", "record_downtime",
    "may_self_operate", "correct_booking", "correction_deadline", "may_correct", "send_reminders", "settings_page", "settle_booking", "update_settings", "user_bookings", "week_calendar",
]
