"""Steps taken at once apply one after the other (row lock on PostgreSQL, write lock on SQLite)."""
import threading

import pytest
import sqlalchemy as sa

from marketplace.accounts.models import User
from marketplace.core.db import writing
from marketplace.extensions import db
from marketplace.requests import secondment, services
from marketplace.requests.models import RequestStep, ServiceRequest

pytestmark = pytest.mark.slow


def race(app, fns):
    db.session.commit()
    barrier = threading.Barrier(len(fns))
    results = [None] * len(fns)

    def worker(i):
        with app.app_context():
            barrier.wait()
            with writing():
                try:
                    results[i] = fns[i]()
                    db.session.commit()
                except Exception as err:  # noqa: BLE001 - asserted below
                    db.session.rollback()
                    results[i] = type(err).__name__
                finally:
                    db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(fns))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_the_last_two_parties_confirm_at_once(app, world, make_request):
    req = make_request("secondment")
    services.accept_request(req, actor=world.uni_user)
    secondment.confirm(req, actor=world.uni_user)
    rid, company_id, researcher_id = req.id, world.company_user.id, world.researcher.id

    def confirm_as(user_id):
        return lambda: secondment.confirm(db.session.get(ServiceRequest, rid), actor=db.session.get(User, user_id)).status

    race(app, [confirm_as(company_id), confirm_as(researcher_id)])
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

    results = race(app, [step("accept"), step("decline")])
    assert sorted(map(str, results)) in (["Conflict", "accepted"], ["Conflict", "declined"], ["accepted", "declined"])
    db.session.expire_all()
    steps = db.session.scalars(sa.select(RequestStep.status).where(RequestStep.request_id == rid)
                               .order_by(RequestStep.id)).all()
    # Each step applied to the state it found: never two moves out of "submitted".
    assert steps[:2] == ["draft", "submitted"] and len(steps) == len(set(steps))
