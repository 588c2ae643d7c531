"""ID numbers: in full to their holder and to reviewers, masked to colleagues (the firm's admin
included), on the filing page, its edit form and the API; a masked number sent back keeps the stored one."""
import pytest

from marketplace.extensions import db
from marketplace.filing.models import Firm

ALICE, BOB = "110101199003074477", "11010519491231002X"


@pytest.fixture
def firm(app, make_org, make_user):
    from marketplace.filing.models import FirmManager
    org = make_org(name="苏州博远技术经理人事务所", kind="service_firm", city="苏州")
    alice = make_user(org=org, org_admin=True, email="alice@test.cn", name="张丽")
    bob = make_user(org=org, email="bob@test.cn", name="王波")
    f = Firm(status="draft", name=org.name, org_id=org.id, applicant_id=alice.id, managers=[
        FirmManager(position=0, name=alice.name, email=alice.email, id_number=ALICE, user_id=alice.id),
        FirmManager(position=1, name=bob.name, email=bob.email, id_number=BOB, user_id=bob.id)])
    db.session.add(f)
    db.session.commit()
    return f, alice, bob


def test_a_colleague_sees_his_own_number_and_the_others_masked(client, login, firm):
    f, alice, bob = firm
    login(client, bob)
    html = client.get(f"/filings/{f.id}").get_data(as_text=True)
    assert BOB in html and ALICE not in html and "110***********4477" in html


def test_the_admin_edits_without_seeing_or_losing_a_colleagues_number(client, login, firm):
    f, alice, bob = firm
    login(client, alice)
    form = client.get(f"/filings/{f.id}/edit").get_data(as_text=True)
    assert ALICE in form and BOB not in form and 'value="110***********002X"' in form
    data = {"name": f.name, "managers-0-name": alice.name, "managers-0-email": alice.email,
            "managers-0-id_number": ALICE, "managers-1-name": bob.name, "managers-1-email": bob.email,
            "managers-1-id_number": "110***********002X", "save": "1"}
    assert client.post(f"/filings/{f.id}/edit", data=data, content_type="multipart/form-data").status_code == 302
    db.session.expire_all()
    assert [m.id_number for m in db.session.get(Firm, f.id).managers] == [ALICE, BOB]


def test_the_api_masks_the_same_way_and_reviewers_see_all(client, firm, api_token, make_user):
    f, alice, bob = firm
    numbers = [m["id_number"] for m in client.get(f"/api/v1/filings/{f.id}",
                                                  headers=api_token(bob)).get_json()["managers"]]
    assert numbers == ["110***********4477", BOB]
    reviewer = make_user(roles=("reviewer",))
    numbers = [m["id_number"] for m in client.get(f"/api/v1/filings/{f.id}",
                                                  headers=api_token(reviewer)).get_json()["managers"]]
    assert numbers == [ALICE, BOB]
