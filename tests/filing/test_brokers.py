"""active_broker_firm: the check the trading platform uses."""
import pytest
import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.filing.models import Firm, FirmManager
from marketplace.filing.services import active_broker_firm


def _firm(status, user, active, id_number="110101199003074477"):
    firm = Firm(status=status, name=f"事务所{status}", managers=[
        FirmManager(name=user.name, email=user.email, id_number=id_number, user_id=user.id, active=active)])
    db.session.add(firm)
    db.session.commit()
    return firm


@pytest.mark.parametrize("status,active,expected", [("approved", True, True), ("suspended", False, False),
                                                    ("revoked", False, False), ("submitted", False, False)])
def test_active_broker_only_in_an_approved_firm(app, make_user, status, active, expected):
    user = make_user()
    firm = _firm(status, user, active)
    assert (active_broker_firm(user) == firm) is expected
    assert active_broker_firm(make_user()) is None
    assert active_broker_firm(None) is None


def test_matched_by_email_until_linked(app, make_user):
    user = make_user(email="manager@firm.cn")
    firm = Firm(status="approved", name="事务所", managers=[
        FirmManager(name="经理", email="manager@firm.cn", id_number="110101199003074477", active=True)])
    db.session.add(firm)
    db.session.commit()
    assert active_broker_firm(user) == firm


def test_a_person_is_active_in_one_firm_at_most(app, make_user):
    """The database refuses the same ID number active in two firms."""
    a, b = make_user(), make_user()
    _firm("approved", a, True)
    with pytest.raises(sa.exc.IntegrityError):
        _firm("approved", b, True)
    db.session.rollback()
    _firm("suspended", b, False)  # inactive rows may repeat


def test_registering_under_a_listed_managers_email_gives_no_broker_powers(app, make_user, make_filing):
    """Issue 25: an account registered under a listed manager's address, never verified, is no broker,
    neither when it existed at approval nor when it was registered after."""
    from marketplace.core.timeutil import utcnow

    from .conftest import manager
    early = make_user(email="mgr-a@firm.cn", email_verified_at=None)  # registered before the approval
    firm = make_filing("approved", managers=[manager("senior", email="mgr-a@firm.cn"),
                                             manager(email="mgr-b@firm.cn"), manager("junior")])
    listed = {m.email: m for m in firm.managers}
    assert firm.status == "approved" and listed["mgr-a@firm.cn"].user_id is None and listed["mgr-a@firm.cn"].active
    assert active_broker_firm(early) is None
    squatter = make_user(email="mgr-b@firm.cn", email_verified_at=None)  # registered after, never verified
    assert active_broker_firm(squatter) is None
    early.email_verified_at = utcnow()  # the mailbox's owner verified the address: now they broker
    db.session.commit()
    assert active_broker_firm(early) == firm
