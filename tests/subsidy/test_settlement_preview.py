"""Finance previews a settlement before confirming it: the preview writes nothing and shows each unit's
income, grade factor and subsidy; the confirmation settles exactly what was previewed."""
import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.ledger.models import JournalEntry
from marketplace.subsidy.models import Settlement
from tests.billing.conftest import at
from tests.subsidy.test_settlement import AFTER_YEAR, paid_booking


def test_a_settlement_is_previewed_then_confirmed(world, two_providers, client, login):
    prog, lab2, inst2 = two_providers
    paid_booking(world)                                # lab (A, factor 1.0): ¥800 external → ¥160
    paid_booking(world, instrument=inst2, hours=1)     # lab2 (C, factor 0.5): ¥1,000 external → ¥100
    entries = db.session.scalar(sa.select(sa.func.count()).select_from(JournalEntry))
    with at(AFTER_YEAR):
        login(client, world.finance)
        preview = client.post(f"/subsidy/programmes/{prog.id}/settle", data={"period": "2026Q4"})
        html = preview.get_data(as_text=True)
        assert preview.status_code == 200 and 'id="confirm-settlement"' in html
        for text in ("¥800.00", "¥1,000.00", "A（1.0）", "C（0.5）", "¥160.00", "¥100.00", "¥260.00"):
            assert text in html, text
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Settlement)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(JournalEntry)) == entries
        done = client.post(f"/subsidy/programmes/{prog.id}/settle", data={"period": "2026Q4", "confirm": "1"})
        assert done.status_code == 302
        s = db.session.scalar(sa.select(Settlement))
        assert s.awarded == 26_000
        again = client.post(f"/subsidy/programmes/{prog.id}/settle", data={"period": "2026Q4"})
        assert again.status_code == 302 and again.headers["Location"].endswith(f"/subsidy/settlements/{s.id}")


def test_an_empty_period_says_so_before_anything_is_settled(world, two_providers, client, login):
    prog, _lab2, _inst2 = two_providers
    with at(AFTER_YEAR):
        login(client, world.finance)
        html = client.post(f"/subsidy/programmes/{prog.id}/settle", data={"period": "2026Q4"}).get_data(as_text=True)
    assert 'id="preview-empty"' in html and "¥0.00" in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Settlement)) == 0


def test_a_lab_finds_its_statement_from_its_menu(world, client, login):
    login(client, world.lab_staff)
    home = client.get("/").get_data(as_text=True)
    assert 'href="/subsidy/statements"' in home
    assert client.get("/subsidy/statements").status_code == 200
