"""Twenty registrars approve twenty applications at once: twenty distinct, consecutive numbers.

Real threads against the real database: SQLite (BEGIN IMMEDIATE serialises the approvals) and
PostgreSQL (the counter row's lock; run with TEST_DATABASE_URL).
"""

import pytest
import sqlalchemy as sa

from marketplace.accounts.models import User
from marketplace.core.db import writing
from marketplace.extensions import db
from marketplace.registration import services
from marketplace.registration.models import ContractRegistration, RegistrationSerial
from tests.races import race
from tests.registration.conftest import payload

pytestmark = pytest.mark.slow
N = 20


def _submitted(seller, n, buyer):
    from datetime import date
    ids = []
    for i in range(n):
        data = payload(project_name=f"并发登记 {i}")
        data["signed_on"], data["valid_until"] = date(2026, 9, 1), date(2027, 8, 31)
        reg = services.create_application(services.application_in(data), actor=seller)
        services.submit_application(reg, actor=seller)
        services.confirm_as_buyer(reg, actor=buyer)
        ids.append(reg.id)
    db.session.commit()
    return ids




def _assert_consecutive(numbers):
    assert len(numbers) == N and len(set(numbers)) == N, numbers
    serials = sorted(int(n[-6:]) for n in numbers)
    assert serials == list(range(1, N + 1)), serials
    assert len({n[:-6] for n in numbers}) == 1  # same year, city and point


def test_twenty_concurrent_approvals_get_consecutive_numbers(app, seller, registrar, buyer):
    ids = _submitted(seller, N, buyer)
    registrar_id = registrar.id

    def approve(i):
        with writing():
            actor = db.session.get(User, registrar_id)
            reg = services.get_registration(ids[i], for_update=True, actor=actor)
            services.approve_application(reg, actor=actor)
            number = reg.number
            db.session.commit()
            return number

    numbers = race(app, N, approve)
    assert all(isinstance(n, str) for n in numbers), numbers
    _assert_consecutive(numbers)
    db.session.rollback()
    stored = db.session.scalars(sa.select(ContractRegistration.number).where(ContractRegistration.id.in_(ids))).all()
    assert sorted(stored) == sorted(numbers)
    assert db.session.scalar(sa.select(RegistrationSerial.last_serial)) == N


def test_twenty_concurrent_api_approvals(app, seller, registrar, buyer, api_token):
    ids = _submitted(seller, N, buyer)
    headers = api_token(registrar)

    def approve(i):
        resp = app.test_client().post(f"/api/v1/contract-registrations/{ids[i]}/approve", json={}, headers=headers)
        return resp.status_code, (resp.get_json() or {}).get("number")

    results = race(app, N, approve)
    assert all(isinstance(r, tuple) and r[0] == 200 for r in results), results
    _assert_consecutive([number for _code, number in results])


def test_the_same_application_approved_twice_at_once_gets_one_number(app, seller, registrar, buyer, api_token):
    [reg_id] = _submitted(seller, 1, buyer)
    headers = api_token(registrar)

    def approve(i):
        return app.test_client().post(f"/api/v1/contract-registrations/{reg_id}/approve", json={},
                                      headers=headers).status_code

    codes = race(app, N, approve)
    assert sorted(codes) == [200] + [409] * (N - 1), codes
    db.session.rollback()
    assert db.session.scalar(sa.select(RegistrationSerial.last_serial)) == 1  # no serial burnt: no gap


def test_the_database_refuses_a_duplicate_number(app, seller, buyer):
    [a, b] = _submitted(seller, 2, buyer)
    db.session.execute(sa.update(ContractRegistration).where(ContractRegistration.id == a)
                       .values(number="26320101000001"))
    db.session.commit()
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(sa.update(ContractRegistration).where(ContractRegistration.id == b)
                           .values(number="26320101000001"))
        db.session.flush()
    db.session.rollback()
