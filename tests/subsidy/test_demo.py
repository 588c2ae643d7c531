import random

import sqlalchemy as sa

from marketplace.core.db import writing
from marketplace.extensions import db
from marketplace import ledger
from marketplace.subsidy.demo import seed_programme
from marketplace.subsidy.models import ProviderGrade


def test_seed_programme_is_repeatable(app, make_org, make_resource):
    labs = [make_org(kind="university") for _ in range(3)]
    for lab in labs:
        make_resource("instrument", lab)
    with writing():
        prog = seed_programme(random.Random(1))
        db.session.commit()
    assert (prog.year, prog.budget, prog.remaining) == (2026, 5_000_000_000, 5_000_000_000)
    assert ledger.balances(programme_id=prog.id)["budget"] == -5_000_000_000
    with writing():
        again = seed_programme(random.Random(1))
        db.session.commit()
    assert again.id == prog.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProviderGrade)) == 3
