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
