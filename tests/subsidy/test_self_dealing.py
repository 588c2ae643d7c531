"""Issue 25: self-dealing earns no subsidy, however the legal representative is typed (two invented ID
numbers, zero-width or traditional-character variants of the name), without a phone on file, or through a
declared investor; nothing is reserved from the budget."""
import pytest
import sqlalchemy as sa
from stdnum.cn import ric

from marketplace.extensions import db
from marketplace.subsidy.models import Reservation
from marketplace.verification import services as vs

from ..verification.conftest import make_uscc


def id_number(body: str) -> str:
    """A resident ID number with a valid check digit (an invented person that passes GB 11643)."""
    return body + ric.calc_check_digit(body + "0")  # stdnum takes the number with a check digit slot


def booked_by_a_shell(world, rep: str, rep_id: str | None = None, **user):
    """The lab (legal representative 吴大伟) serves a company whose representative is typed as `rep`."""
    world.new_programme()
    vs.seed_identity(world.lab, uscc=make_uscc("320102", seed=71, authority="12"), legal_name=world.lab.name,
                     legal_rep="吴大伟", legal_rep_id=id_number("32010219900101123"))
    shell = world.make_org(kind="enterprise", city="南京", sme=True)
    vs.seed_identity(shell, uscc=vs.identity_of(shell).uscc, legal_name=shell.name, legal_rep=rep, legal_rep_id=rep_id)
    db.session.commit()
    b = world.book(user=world.make_user(org=shell, **user))
    world.approve(b)
    return b


def subsidy_of(b):
    res = db.session.scalar(sa.select(Reservation).where(Reservation.booking_id == b.id))
    return b.user_subsidy, res.reason_code, res.provider_eligible


@pytest.mark.parametrize("rep, rep_id", [
    ("吴大伟", id_number("11010119850505987")),     # the same name with another invented ID number
    ("吴\u200b大\u200d伟", None),                    # zero-width characters inside the name
    ("吳大偉", None),                                # traditional characters
    ("\ufeff吳 大·偉", id_number("44030119900303456")),
])
def test_the_same_legal_representative_however_typed_earns_no_subsidy(world, rep, rep_id):
    b = booked_by_a_shell(world, rep, rep_id)
    assert subsidy_of(b) == (0, "related_party", False)


def test_the_labs_member_as_the_companys_legal_representative_without_a_phone_earns_nothing(world):
    world.make_user(org=world.lab, name="郑 教授", phone=None)  # a member of the lab, no phone on file
    b = booked_by_a_shell(world, "鄭教授", phone=None)
    assert subsidy_of(b) == (0, "related_party", False)


def test_self_dealing_through_a_declared_investor_earns_nothing(world):
    from marketplace.requests.services.secondment import declare_stake
    world.new_programme()
    shell = world.make_org(kind="enterprise", city="南京", sme=True)
    owner = world.make_user(org=shell)
    declare_stake(shell, actor=owner, relation="investor", holder_name=world.lab.name, holder_org_id=world.lab.id)
    db.session.commit()
    b = world.book(user=owner)
    world.approve(b)
    assert subsidy_of(b) == (0, "related_party", False)


def test_an_unrelated_company_still_gets_its_subsidy(world):
    b = booked_by_a_shell(world, "钱学明", id_number("11010119850505987"))
    amount, reason, provider = subsidy_of(b)
    assert amount > 0 and reason is None and provider
