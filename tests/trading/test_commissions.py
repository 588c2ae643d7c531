"""Finance sets a broker firm's commission rate with an effective date: history, audit, bounds, who may,
and the rate a deal takes (the one in effect on its signing day) feeding the commission of each payment."""
from datetime import date, datetime, timedelta

import pytest

from marketplace.core.audit import history
from marketplace.core.errors import Forbidden, Invalid, NotFound
from marketplace.extensions import db
from marketplace.trading import rules, services
from marketplace.trading.models import FirmCommissionRate
from marketplace.trading.services import commissions as rates

from .conftest import NOW, make_firm, mandate, schedule, sign_both

TODAY = date(2026, 12, 1)  # NOW in Nanjing


@pytest.fixture
def finance(make_user):
    return make_user(None, roles=("finance",), name="财务甲")


def count_rates():
    return db.session.query(FirmCommissionRate).count()


def test_a_rate_takes_effect_on_its_day_and_a_later_entry_for_the_same_day_wins(app, world, finance):
    assert rates.rate_on(world.firm, TODAY) == 300  # the configured default
    rates.set_firm_commission(world.firm, 500, effective_on=TODAY, actor=finance, now=NOW)
    rates.set_firm_commission(world.firm, 800, effective_on=TODAY + timedelta(days=10), note="续约", actor=finance,
                              now=NOW)
    rates.set_firm_commission(world.firm, 450, effective_on=TODAY, note="更正", actor=finance, now=NOW)
    db.session.commit()
    assert rates.rate_on(world.firm, TODAY - timedelta(days=1)) == 300
    assert rates.rate_on(world.firm, TODAY) == 450
    assert rates.rate_on(world.firm, TODAY + timedelta(days=9)) == 450
    assert rates.rate_on(world.firm, TODAY + timedelta(days=10)) == 800
    assert rates.scheduled_rate(world.firm, TODAY).basis_points == 800
    assert [(r.effective_on, r.basis_points, r.note) for r in rates.rate_history(world.firm)] == [
        (TODAY + timedelta(days=10), 800, "续约"), (TODAY, 450, "更正"), (TODAY, 500, "")]
    audit = history("firm_commission", world.firm.id)
    assert [a.actor_id for a in audit] == [finance.id] * 3
    assert audit[-1].comment == "450 bp from 2026-12-01: 更正"


def test_a_deal_takes_the_rate_of_its_signing_day_and_its_payments_split_by_it(app, world, finance):
    rates.set_firm_commission(world.firm, 1250, effective_on=TODAY, actor=finance, now=NOW)
    rates.set_firm_commission(world.firm, 2000, effective_on=TODAY + timedelta(days=1), actor=finance, now=NOW)
    deal = services.create_deal(actor=world.broker, mode="transfer", amount=1_000_001, achievement_id=world.private.id,
                                buyer_org_id=world.buyer.id, seller_org_id=world.seller.id, now=NOW)
    mandate(deal, world.buyer_user)
    services.accept_offer(deal, actor=world.seller_user, now=NOW)
    sign_both(deal, world.buyer_user, world.seller_user, contract_type="licence", total_amount=1_000_001,
              tech_amount=1_000_001, instalments=schedule(1_000_001))
    db.session.commit()
    assert deal.commission_bp == 1250  # not the rate that starts tomorrow
    # 12.5 % of ¥5,000.01 rounded half up to the fen: 62,500.125 fen -> 62,500; the seller gets the rest.
    assert rules.split_payment(500_001, deal.commission_bp) == (437_501, 62_500)


def test_a_deal_signed_after_the_new_rate_starts_takes_it(app, world, finance):
    rates.set_firm_commission(world.firm, 2000, effective_on=TODAY + timedelta(days=1), actor=finance, now=NOW)
    later = NOW + timedelta(days=1)
    deal = services.create_deal(actor=world.broker, mode="transfer", amount=10_000, achievement_id=world.private.id,
                                buyer_org_id=world.buyer.id, seller_org_id=world.seller.id, now=later)
    mandate(deal, world.buyer_user, now=later)
    services.accept_offer(deal, actor=world.seller_user, now=later)
    sign_both(deal, world.buyer_user, world.seller_user, now=later, contract_type="licence", total_amount=10_000,
              tech_amount=10_000, instalments=schedule(10_000, 1, start=date(2027, 1, 31)))
    assert deal.commission_bp == 2000


@pytest.mark.parametrize("bp, effective_on, note, field", [
    (-1, TODAY, "", "basis_points"),
    (3001, TODAY, "", "basis_points"),          # above the 30 % ceiling
    (10**12, TODAY, "", "basis_points"),
    (2.5, TODAY, "", "basis_points"),           # a float is not a number of basis points
    (True, TODAY, "", "basis_points"),
    ("300", TODAY, "", "basis_points"),
    (300, TODAY - timedelta(days=1), "", "effective_on"),   # retroactive rates would rewrite signed deals
    (300, TODAY + timedelta(days=400), "", "effective_on"),
    (300, TODAY, "长" * 501, "note"),
])
def test_bad_rates_are_refused_and_nothing_is_saved(app, world, finance, bp, effective_on, note, field):
    with pytest.raises(Invalid) as err:
        rates.set_firm_commission(world.firm, bp, effective_on=effective_on, note=note, actor=finance, now=NOW)
    assert field in err.value.errors
    db.session.rollback()
    assert count_rates() == 0


def test_only_finance_sets_a_rate_and_only_for_a_filed_firm(app, world, make_org):
    for who in (world.broker, world.buyer_user, world.reviewer):
        with pytest.raises(Forbidden):
            rates.set_firm_commission(world.firm, 100, actor=who, now=NOW)
    finance = world.reviewer
    from marketplace.accounts.models import UserRole
    finance.role_rows.append(UserRole(role="finance"))
    draft = make_firm(make_org(name="草稿事务所", kind="service_firm"), world.other_user, status="draft",
                      id_number="11010519491231002X")
    with pytest.raises(NotFound):
        rates.set_firm_commission(draft, 100, actor=finance, now=NOW)
    assert count_rates() == 0


# -- the page ----------------------------------------------------------------------------------------

def test_finance_sets_a_rate_on_the_page_and_sees_it_in_the_history(app, client, world, finance, login):
    login(client, finance)
    listing = client.get("/trading/commissions")
    assert listing.status_code == 200 and world.firm.name in listing.get_data(as_text=True)
    page = client.get(f"/trading/commissions/{world.firm.id}").get_data(as_text=True)
    assert "3.00%" in page  # the default, before any entry
    today = rates.local_today()
    resp = client.post(f"/trading/commissions/{world.firm.id}",
                       data={"percent": "2.5", "effective_on": today.isoformat(), "note": "年度协议"})
    assert resp.status_code == 302
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "2.50%" in page and "年度协议" in page and "财务甲" in page
    assert rates.rate_on(world.firm, today) == 250


@pytest.mark.parametrize("percent, effective_on, message", [
    ("abc", None, "请输入百分比数值"),
    ("2.555", None, "请输入百分比数值"),
    ("-1", None, "请输入百分比数值"),
    ("31", None, "不能超过 30%"),
    ("", None, 'id="percent-err"'),
    ("3", -1, "生效日期不能早于今天"),
    ("3", "not-a-date", 'id="effective_on-err"'),
])
def test_bad_input_on_the_page_is_shown_next_to_the_field(app, client, world, finance, login, percent, effective_on,
                                                          message):
    login(client, finance)
    if effective_on in (None, -1):
        effective_on = (rates.local_today() + timedelta(days=effective_on or 0)).isoformat()
    resp = client.post(f"/trading/commissions/{world.firm.id}",
                       data={"percent": percent, "effective_on": effective_on})
    assert resp.status_code == 422
    assert message in resp.get_data(as_text=True)
    assert count_rates() == 0


def test_the_pages_answer_403_to_anyone_but_finance(app, client, world, login):
    login(client, world.broker)
    assert client.get("/trading/commissions").status_code == 403
    assert client.get(f"/trading/commissions/{world.firm.id}").status_code == 403
    resp = client.post(f"/trading/commissions/{world.firm.id}",
                       data={"percent": "1", "effective_on": rates.local_today().isoformat()})
    assert resp.status_code == 403 and count_rates() == 0


# -- the API -----------------------------------------------------------------------------------------

def test_finance_sets_and_reads_a_rate_over_the_api(app, client, world, finance, api_token):
    headers = api_token(finance)
    url = f"/api/v1/firms/{world.firm.id}/commission"
    assert client.get(url, headers=headers).get_json() == {
        "firm_id": world.firm.id, "firm_name": world.firm.name, "current_bp": 300, "history": []}
    later = (rates.local_today() + timedelta(days=30)).isoformat()
    resp = client.post(url, json={"basis_points": 700, "effective_on": later, "note": "新合同"}, headers=headers)
    assert resp.status_code == 201, resp.get_data(as_text=True)
    body = resp.get_json()
    assert body["current_bp"] == 300
    assert [(h["basis_points"], h["effective_on"], h["note"], h["set_by_id"]) for h in body["history"]] == [
        (700, later, "新合同", finance.id)]
    resp = client.post(url, json={"basis_points": 0}, headers=headers)  # today, no commission
    assert resp.status_code == 201 and resp.get_json()["current_bp"] == 0


@pytest.mark.parametrize("body, field", [
    ({"basis_points": 3001}, "basis_points"),
    ({"basis_points": -5}, "basis_points"),
    ({"basis_points": 2.5}, "basis_points"),
    ({"basis_points": "lots"}, "basis_points"),
    ({"basis_points": 10**20}, "basis_points"),
    ({}, "basis_points"),
    ({"basis_points": 100, "effective_on": "2020-01-01"}, "effective_on"),
    ({"basis_points": 100, "effective_on": "31/12/2026"}, "effective_on"),
])
def test_bad_api_bodies_answer_422_with_the_field(app, client, world, finance, api_token, body, field):
    resp = client.post(f"/api/v1/firms/{world.firm.id}/commission", json=body, headers=api_token(finance))
    assert resp.status_code == 422 and resp.content_type.startswith("application/problem+json")
    assert field in resp.get_json()["errors"]
    assert count_rates() == 0


def test_the_api_answers_403_to_non_finance_and_404_for_unknown_firms(app, client, world, finance, api_token):
    url = f"/api/v1/firms/{world.firm.id}/commission"
    for who in (world.broker, world.buyer_user, world.reviewer):
        assert client.post(url, json={"basis_points": 100}, headers=api_token(who)).status_code == 403
        assert client.get(url, headers=api_token(who)).status_code == 403
    assert client.post(url, json={"basis_points": 100}).status_code == 401
    assert client.get("/api/v1/firms/999999/commission", headers=api_token(finance)).status_code == 404
    assert client.get(f"/api/v1/firms/{world.suspended_firm.id}/commission",
                      headers=api_token(finance)).status_code == 200  # suspended firms keep their rates
    assert count_rates() == 0


def test_signing_date_is_local(app):
    # 23:30 UTC on 30 Nov is 07:30 on 1 Dec in Nanjing: the signing day is 1 Dec.
    assert rates.local_today(datetime(2026, 11, 30, 23, 30)) == TODAY
