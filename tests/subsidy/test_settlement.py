"""Provider-side period settlement, statements, the CLI and the JSON API."""
import io
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
import sqlalchemy as sa

from marketplace import ledger
from marketplace.core.db import writing
from marketplace.core.errors import Forbidden, Invalid
from marketplace.extensions import db
from marketplace.ledger.models import JournalLine
from marketplace.subsidy import services as ss
from marketplace.subsidy.models import Reservation, Settlement
from marketplace.subsidy.services.settlement import settle_period


def paid_booking(world, user=None, instrument=None, hours=2, used=None):
    b = world.book(user=user, instrument=instrument, hours=hours)
    world.approve(b)
    world.complete(b, used_hours=used)
    world.settle_free(b)
    return b


AFTER_YEAR = datetime(2027, 1, 5)


def settle(world, prog, period="2026Q4"):
    with writing():
        s, created = settle_period(prog, period, now=AFTER_YEAR, actor=world.finance)
        db.session.commit()
    return s, created


def test_settlement_grades_exclusions_and_idempotence(world, two_providers):
    prog, lab2, inst2 = two_providers
    paid_booking(world)                                     # lab: ¥800 external
    paid_booking(world, user=world.company_user())          # lab: ¥800 external
    paid_booking(world, instrument=inst2, hours=1)          # lab2: ¥1,000 external
    sister = world.make_user(org=world.make_org(kind="enterprise", parent_id=world.lab.id))
    paid_booking(world, user=sister)                        # related party: excluded
    unpaid = world.book()
    world.approve(unpaid)
    world.complete(unpaid)                                  # completed, never paid: excluded
    remaining_before = prog.remaining

    s, created = settle(world, prog)
    assert created
    lines = {line.org_id: line for line in s.lines}
    assert set(lines) == {world.lab.id, lab2.id}
    assert (lines[world.lab.id].income, lines[world.lab.id].grade, lines[world.lab.id].awarded) == (160_000, "A", 32_000)
    assert (lines[lab2.id].income, lines[lab2.id].grade, lines[lab2.id].awarded) == (100_000, "C", 10_000)
    assert s.awarded == 42_000 and not s.prorated
    db.session.refresh(prog)
    assert prog.remaining == remaining_before - 42_000
    assert -ledger.balances(org_id=world.lab.id)["provider_subsidy_payable"] == 32_000

    journal_rows = db.session.scalar(sa.select(sa.func.count()).select_from(JournalLine))
    again, created = settle(world, prog)
    assert not created and again.id == s.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(JournalLine)) == journal_rows
    db.session.refresh(prog)
    assert prog.remaining == remaining_before - 42_000


def test_settlement_prorates_when_budget_is_short(world, two_providers):
    prog, lab2, inst2 = two_providers
    paid_booking(world)
    paid_booking(world, instrument=inst2, hours=1)
    db.session.refresh(prog)
    with writing():  # leave only ¥100.01 in the budget
        ss.update_programme(prog, budget=prog.reserved + prog.committed + 10_001, actor=world.admin)
        db.session.commit()
    s, _ = settle(world, prog)
    lines = {line.org_id: line for line in s.lines}
    assert s.prorated and s.computed == 16_000 + 10_000 and s.awarded == 10_001
    assert lines[world.lab.id].awarded + lines[lab2.id].awarded == 10_001
    assert lines[world.lab.id].awarded == 6_154  # 16000 × 10001 / 26000 = 6154.46…
    db.session.refresh(prog)
    assert prog.remaining == 0


def test_unit_yearly_cap_across_periods(world, two_providers):
    prog, lab2, inst2 = two_providers
    with writing():
        ss.update_programme(prog, provider_unit_cap=20_000, actor=world.admin)
        db.session.commit()
    early = paid_booking(world)
    with writing():  # pretend this one was paid in the third quarter
        db.session.execute(sa.update(Reservation).where(Reservation.booking_id == early.id)
                           .values(committed_at=_q3()))
        db.session.commit()
    q3, _ = settle(world, prog, "2026Q3")
    assert q3.awarded == 16_000
    paid_booking(world)
    q4, _ = settle(world, prog, "2026Q4")
    assert q4.computed == 4_000 and q4.awarded == 4_000   # only the cap's room is left


def _q3():
    from datetime import datetime
    return datetime(2026, 8, 1)


def test_settlement_validation_and_permissions(world):
    prog = world.new_programme()
    with pytest.raises(Forbidden):
        settle_period(prog, "2026Q4", now=AFTER_YEAR, actor=world.co_user)
    for bad in ("2026Q5", "2025Q4", "Q4", "2026"):
        with pytest.raises(Invalid):
            settle_period(prog, bad, now=AFTER_YEAR, actor=world.finance)
    with pytest.raises(Invalid) as err:  # not over yet
        settle_period(prog, "2026Q4", now=datetime(2026, 12, 31, 15, 59), actor=world.finance)
    assert "尚未结束" in err.value.detail
    db.session.rollback()


def test_cli_settle_twice(world, two_providers, app):
    prog, *_ = two_providers
    b = paid_booking(world)
    with writing():  # paid in the third quarter (which has ended)
        db.session.execute(sa.update(Reservation).where(Reservation.booking_id == b.id).values(committed_at=_q3()))
        db.session.commit()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["subsidy", "settle", "--programme", str(prog.id), "--period", "2026Q3"])
    assert first.exit_code == 0, first.output
    assert "awarded=¥160.00" in first.output
    second = runner.invoke(args=["subsidy", "settle", "--programme", str(prog.id), "--period", "2026Q3"])
    assert second.exit_code == 0 and "already settled" in second.output
    early = runner.invoke(args=["subsidy", "settle", "--programme", str(prog.id), "--period", "2026Q4"])
    assert early.exit_code != 0 and "结算期间尚未结束" in early.output  # the CLI speaks the default language
    bad = runner.invoke(args=["subsidy", "settle", "--programme", str(prog.id), "--period", "2026Q9"])
    assert bad.exit_code != 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Settlement)) == 1


def independent_user_subsidy(bookings, programme):
    """Recompute the user side from the raw usage and the programme's published rules, without
    the application's rules module: rate by flags, per-booking cap, yearly cap per organisation
    in approval order, never above the amount reserved at approval (on the booked fee)."""
    def pct(amount, bp):
        return int((Decimal(amount) * Decimal(bp) / Decimal(10000)).quantize(Decimal(1), ROUND_HALF_UP))

    used_by_org = {}
    budget_left = programme["budget"]
    total = 0
    for b in bookings:  # in approval order
        user, prov = b["org"], b["provider"]
        if not (user["kind"] == "enterprise" and user["in_province"] and user["id"] != prov["id"]
                and (user["parent_id"] or user["id"]) != (prov["parent_id"] or prov["id"])
                and b["original_value"] >= programme["min_original_value"]):
            continue
        rate = (programme["rate_sme_high_tech_bp"] if user["sme"] and user["high_tech"]
                else programme["rate_sme_bp"] if user["sme"] else programme["rate_default_bp"])
        reserved = min(pct(b["booked_fee"], rate), programme["booking_cap"],
                       programme["org_year_cap"] - used_by_org.get(user["id"], 0), budget_left)
        reserved = max(0, reserved)
        final = min(pct(b["final_fee"], rate), programme["booking_cap"], reserved)
        used_by_org[user["id"]] = used_by_org.get(user["id"], 0) + final
        budget_left -= final
        total += final
    return total


def test_independent_recomputation_equals_the_ledger(world):
    prog = world.new_programme(org_year_cap=50_000)
    users = [world.co_user, world.company_user(), world.company_user(sme=True, high_tech=True),
             world.company_user(in_province=False), world.make_user(org=world.make_org(kind="enterprise",
                                                                                        parent_id=world.lab.id))]
    raw = []
    plan = [(0, 2, 1), (0, 2, 3), (1, 3, 2), (2, 5, 5), (3, 2, 2), (4, 2, 2), (0, 4, 4), (2, 1, 0.5)]
    for ui, hours, used in plan:
        user = users[ui]
        b = world.book(user=user, hours=hours)
        booked_fee = b.fee
        world.approve(b)
        world.complete(b, used_hours=used)
        world.settle_free(b)
        org, prov = user.organisation, world.lab
        raw.append({"org": {"id": org.id, "kind": org.kind, "in_province": org.in_province, "sme": org.sme,
                            "high_tech": org.high_tech, "parent_id": org.parent_id},
                    "provider": {"id": prov.id, "parent_id": prov.parent_id},
                    "original_value": world.instrument.original_value, "booked_fee": booked_fee,
                    "final_fee": b.fee})
    db.session.refresh(prog)
    rules_row = {k: getattr(prog, k) for k in ("budget", "min_original_value", "rate_default_bp", "rate_sme_bp",
                                               "rate_sme_high_tech_bp", "booking_cap", "org_year_cap")}
    expected = independent_user_subsidy(raw, rules_row)
    ledger_total = -ledger.balances(programme_id=prog.id).get("user_subsidy_payable", 0)
    assert ledger_total == expected == prog.committed
    # provider side: 20 % × grade (ungraded → D = 0, so grade the lab B) of external unrelated income
    with writing():
        ss.set_grade(prog, world.lab.id, "B", actor=world.admin)
        db.session.commit()
    s, _ = settle(world, prog)
    income = sum(r["final_fee"] for r in raw
                 if (r["org"]["parent_id"] or r["org"]["id"]) != world.lab.id)
    expected_provider = int((Decimal(income) * Decimal("0.2") * Decimal("0.8")).quantize(Decimal(1), ROUND_HALF_UP))
    assert -ledger.balances(programme_id=prog.id).get("provider_subsidy_payable", 0) == expected_provider == s.awarded


def test_statements_csv_xlsx_and_permissions(world, two_providers, client, login):
    prog, lab2, inst2 = two_providers
    b = paid_booking(world)
    settle(world, prog)
    login(client, world.co_user)
    resp = client.get("/subsidy/statements?period=2026Q4&format=csv")
    assert resp.status_code == 200
    text = resp.get_data().decode("utf-8-sig")
    assert str(b.id) in text and "80000" in text and "24000" in text
    resp = client.get(f"/subsidy/statements?org_id={world.lab.id}&period=2026Q4")
    assert resp.status_code == 403
    client.post("/logout")
    login(client, world.finance)
    resp = client.get(f"/subsidy/statements?org_id={world.lab.id}&period=2026Q4&format=xlsx")
    assert resp.status_code == 200
    from openpyxl import load_workbook
    ws = load_workbook(io.BytesIO(resp.data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0].startswith("日期")
    assert any(r[1] == b.id and r[4] == 800 and r[8] == 80_000 for r in rows[1:])    # yuan, and raw fen
    assert any(r[0] == "2026Q4" and r[5] == 160 and r[9] == 16_000 for r in rows[1:])  # grade A × 20 % of ¥800
    assert client.get("/subsidy/statements?period=2026Q9").status_code == 422


def test_api_programmes_and_trial_balance(world, client, api_token):
    prog = world.new_programme(budget=1_000_000)
    b = world.book()
    world.approve(b)
    resp = client.get("/api/v1/subsidy/programmes")
    assert resp.status_code == 200
    item = resp.get_json()["items"][0]
    assert (item["budget"], item["reserved"], item["committed"], item["remaining"]) == (1_000_000, 24_000, 0, 976_000)
    one = client.get(f"/api/v1/subsidy/programmes/{prog.id}").get_json()
    assert one["id"] == prog.id and one["year"] == 2026 and one["rate_sme_bp"] == 3000
    assert client.get("/api/v1/subsidy/programmes/999999").status_code == 404
    assert client.get("/api/v1/ledger/trial-balance").status_code == 401
    assert client.get("/api/v1/ledger/trial-balance", headers=api_token(world.co_user)).status_code == 403
    tb = client.get("/api/v1/ledger/trial-balance", headers=api_token(world.finance)).get_json()
    assert tb["total_debits"] == tb["total_credits"] == 1_000_000 + 24_000
    assert tb["accounts"]["budget"] == -976_000 and tb["accounts"]["subsidy_reserved"] == -24_000
    assert sum(tb["accounts"].values()) == 0


def test_admin_and_finance_pages(world, client, login):
    login(client, world.admin)
    resp = client.post("/subsidy/programmes/new", data={
        "name": "2026 年度双向补贴", "year": "2026", "budget": "50000000", "active": "y", "rate_default": "20",
        "rate_sme": "30", "rate_sme_high_tech": "40", "booking_cap": "20000", "org_year_cap": "200000",
        "min_original_value": "300000", "provider_rate": "20", "grade_a": "100", "grade_b": "80", "grade_c": "50",
        "grade_d": "0", "ungraded": "D", "provider_unit_cap": "5000000", "exclude_internal": "y",
        "exclude_related": "y", "settlement_period": "quarter"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    prog = ss.programme_for_year(2026)
    assert prog.budget == 5_000_000_000 and prog.booking_cap == 2_000_000 and prog.rate_sme_bp == 3000
    page = client.get(f"/subsidy/programmes/{prog.id}").get_data(as_text=True)
    assert "¥50,000,000.00" in page
    resp = client.post(f"/subsidy/programmes/{prog.id}/grades", data={"org_id": world.lab.id, "grade": "B"})
    assert resp.status_code == 302
    assert ss.grades(prog)[0].grade == "B"
    bad = client.post("/subsidy/programmes/new", data={"name": "", "year": "1900", "budget": "abc"})
    assert bad.status_code == 200 and "error" in bad.get_data(as_text=True)
    assert client.get("/subsidy/ledger").status_code == 200
    assert client.get("/subsidy/").status_code == 302
    client.post("/logout")
    login(client, world.co_user)
    assert client.get("/subsidy/programmes").status_code == 403
    assert client.get("/subsidy/programmes/new").status_code == 403


def test_booking_page_shows_why_no_subsidy(world, client, login, app):
    world.new_programme(budget=0)
    b = world.book()
    world.approve(b)
    login(client, world.co_user)
    with app.test_request_context():
        from flask import url_for
        url = url_for("booking.detail", booking_id=b.id)
    page = client.get(url).get_data(as_text=True)
    assert 'id="subsidy-panel"' in page
    assert "补贴预算已用完" in page and "¥800.00" in page


def test_openapi_lists_subsidy_and_payment_paths(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for p in ("/subsidy/programmes", "/subsidy/programmes/{id}", "/ledger/trial-balance", "/bookings/{id}/pay",
              "/payments/webhook"):
        assert any(k.endswith(p) for k in paths), p


def test_statement_service_takes_the_actor(world, two_providers):
    from marketplace.core.errors import Unauthorized
    from marketplace.subsidy.services.statements import statement
    prog, *_ = two_providers
    with pytest.raises(Unauthorized):
        statement(world.lab.id, "2026Q4", actor=None)
    with pytest.raises(Forbidden):
        statement(world.lab.id, "2026Q4", actor=world.co_user)     # another organisation's
    with pytest.raises(Invalid):
        statement(None, "2026Q4", actor=world.finance)              # finance belongs to no organisation
    own = statement(None, "2026Q4", actor=world.co_user)
    assert own["org_id"] == world.company.id and own["period"] == "2026Q4"
    assert statement(world.lab.id, None, actor=world.finance)["period"] == str(prog.year)
