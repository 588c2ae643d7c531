"""The core's endpoints: the caller's workbench (工作台) as JSON, what waits for them, oldest first, and each queue's count."""
from datetime import date

from flask import current_app
from pydantic import Field

from ..core import workbench
from ..core.permissions import require_login
from ..core.schema import Answer, LocalTime, Schema
from ..core.timeutil import to_local, utcnow
from .common import api_actor
from .spec import endpoint


class WorkbenchQuery(Schema):
    limit: int = Field(default=20, ge=1, le=100, description="items per queue, oldest first")


class WorkbenchItem(Answer):
    kind: str
    id: int
    title: str
    since: LocalTime | None = None
    due: date | None = Field(default=None, description="the deadline (its own, else the kind's SLA), Beijing day")
    overdue: bool
    url: str
    note: str = ""


class WorkbenchOut(Answer):
    items: list[WorkbenchItem]
    counts: dict[str, int]


@endpoint("/workbench", query=WorkbenchQuery, answer=WorkbenchOut, errors=(401, 422), tags=["workbench"])
def my_workbench(query: WorkbenchQuery):
    """The signed-in user's to-do items across their queues (oldest first) and the count of each queue."""
    actor = require_login(api_actor())
    items, counts = workbench.all_items(actor, current_app.view_functions, limit=query.limit)
    today = to_local(utcnow()).date()
    return WorkbenchOut(items=[WorkbenchItem(kind=i.kind, id=i.id, title=i.title, since=i.since, due=i.due,
                                             overdue=i.overdue(today), url=i.url, note=i.note) for i in items],
                        counts=counts)



