"""Service requests' services: the lifecycle of a request (lifecycle), the 科技副总 secondment's
parties and confirmations (secondment), dataset files (datasets) and the staff export (exports).

Every function takes the request first and the actor keyword-only, checks permission first, raises
core.errors and only flushes.
"""
from ..states import CLOSED, OPEN  # noqa: F401
from . import datasets, exports, secondment  # noqa: F401
from .lifecycle import (  # noqa: F401
    STEPS,
    accept_request,
    add_progress,
    allowed_actions,
    can_view,
    check_eligible,
    complete_request,
    create_request,
    declare_revenue,
    decline_request,
    for_export,
    get_kind,
    get_request,
    get_resource,
    grant_request,
    handler_side,
    is_handler,
    is_owner,
    is_requester,
    is_staff,
    lock,
    mine,
    open_calls,
    permitted,
    queue,
    submit_request,
    validate_details,
    withdraw_request,
)
