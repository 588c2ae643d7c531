"""A job's outbox row written by the caller's own statement (PostgreSQL, queue mode), for a hot path
that makes a row and its job in one round trip (booking.services.requests); see core.jobs."""
import sqlalchemy as sa
from flask import current_app

from ..extensions import db
from .db import on_commit_once
from .jobs import _wake, job_name
from .models import OutboxJob
from .timeutil import utcnow


def outbox_rows(rows, fn, *args):
    """`enqueue(fn, *args)` for every row a data-modifying CTE returns (`rows`), as a CTE of its own, as
    core.audit.record_rows does for audit rows: added to the statement that makes the rows, the job
    rows are written in that same statement (PostgreSQL, queue mode: `broker_url()` set). Each argument
    is an SQL expression, a column of `rows` (the new row's id) or a typed bindparam bound at execution,
    so the statement can be built once and reused. Bind `outbox_params()` too, select the CTE's
    `outbox_id` and hand the ids the statement returned to `wake_after_commit`."""
    table = OutboxJob.__table__
    payload = sa.cast(sa.func.json_build_array(sa.func.json_build_array(*args), sa.literal_column("'{}'::json")),
                      sa.Text)  # [args, kwargs], as _write_outbox writes it
    values = sa.select(sa.bindparam("outbox_queue", type_=sa.String), sa.literal(job_name(fn), sa.String), payload,
                       sa.bindparam("outbox_at", type_=sa.DateTime)).select_from(rows)
    return (sa.insert(table).from_select(["queue", "name", "args", "created_at"], values)
            .returning(table.c.id.label("outbox_id")).cte(f"outbox_{fn.__name__}"))


def outbox_params(app=None) -> dict:
    """The values outbox_rows' statement binds: the queue, and now."""
    return {"outbox_queue": (app or current_app).config["JOBS_QUEUE"], "outbox_at": utcnow()}


def wake_after_commit(job_ids: list[int]) -> None:
    """Wake the queue once the transaction commits, for outbox rows written by a statement of the
    caller's own (outbox_rows); as _write_outbox does for the rows it writes."""
    app = current_app._get_current_object()
    on_commit_once(db.session(), _wake, app, [])[1].extend(job_ids)
