"""Steps taken at once apply one after the other (row lock on PostgreSQL, write lock on SQLite)."""

import pytest
import sqlalchemy as sa

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.requests import services
from marketplace.requests.models import RequestStep, ServiceRequest
from marketplace.requests.services import secondment
from tests.races import committed, race

pytestmark = pytest.mark.slow


def race_calls(app, calls):
    """Each call as its own committed unit of work, all at once; an error as its type's name."""
    results = race(app, len(calls), lambda i: committed(calls[i])())
    return [type(r).__name__ if isinstance(r, Exception) else r for r in results]


def test_the_last_two_parties_confirm_at_once(app, world, make_request):
    req = make_request("secondment")
    services.accept_request(req, actor=world.uni_user)
    secondment.confirm(req, actor=world.uni_user)
    rid, company_id, researcher_id = req.id, world.company_user.id, world.researcher.id

    def confirm_as(user_id):
        return lambda: secondment.confirm(db.session.get(ServiceRequest, rid), actor=db.session.get(User, user_id)).status

    race_calls(app, [confirm_as(company_id), confirm_as(researcher_id)])
    db.session.expire_all()
    assert db.session.get(ServiceRequest, rid).status == "in_progress"


def test_accept_and_decline_at_once_leave_one_outcome(app, world, make_request):
    rid, owner_id = make_request("consulting").id, world.uni_user.id

    def step(name):
        def run():
            req, owner = db.session.get(ServiceRequest, rid), db.session.get(User, owner_id)
            if name == "accept":
                return services.accept_request(req, actor=owner).status
            return services.decline_request(req, actor=owner, reason="重复").status
        return run

    results = race_calls(app, [step("accept"), step("decline")])
    assert sorted(map(str, results)) in (["Conflict", "accepted"], ["Conflict", "declined"], ["accepted", "declined"])
    db.session.expire_all()
    steps = db.session.scalars(sa.select(RequestStep.status).where(RequestStep.request_id == rid)
                               .order_by(RequestStep.id)).all()
    # Each step applied to the state it found: never two moves out of "submitted".
    assert steps[:2] == ["draft", "submitted"] and len(steps) == len(set(steps))
