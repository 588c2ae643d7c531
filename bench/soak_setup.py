"""The soak's database and cast, in one process (run by bench/soak.py with the stack's environment; one
app start-up instead of one per command): the schema (`flask init-db`), the demo data (`flask seed-demo`),
the search index (`flask search rebuild`), then the cast read from the demo: API tokens for the demo
company and lab, the instruments and listings their users act on, and payers: for each who owes
something (a member of an organisation with an open bill, the booker of a completed booking not on a
bill) a token, the demo's password and what is payable.

    python -m bench.soak_setup --resources 300  → one JSON object on the last line of stdout
"""
import argparse
import json
import sys
import time
from collections import defaultdict

import sqlalchemy as sa

MAX_PAYERS = 40
CARD_CEILING = 99_999_999  # fen: above it a bill is paid by transfer (billing refuses the card)


def prepare(app, resources: int) -> dict:
    """The flask commands of `make prepare`, timed."""
    timings = {}
    runner = app.test_cli_runner()
    for name, args in (("init-db", ["init-db"]), ("seed", ["seed-demo", "--resources", str(resources)]),
                       ("index", ["search", "rebuild"])):
        began = time.time()
        result = runner.invoke(args=args)
        if result.exit_code:
            raise RuntimeError(f"flask {' '.join(args)} failed: {result.output[-2000:]}") from result.exception
        timings[name] = round(time.time() - began, 1)
    return timings


def cast(app) -> dict:
    from marketplace.accounts import services
    from marketplace.accounts.models import User
    from marketplace.core.uow import cli_unit_of_work
    from marketplace.demo.seed import DEMO_PASSWORD
    from marketplace.extensions import db

    with app.app_context():
        q = lambda sql, **kw: db.session.execute(sa.text(sql), kw).all()  # noqa: E731
        lab = db.session.scalar(sa.text("SELECT organisation_id FROM users WHERE email = 'lab@demo.cn'"))
        company = db.session.scalar(sa.text("SELECT organisation_id FROM users WHERE email = 'company@demo.cn'"))
        # instruments the company may book as it stands: published, bookable by the hour, no training needed
        lab_instruments = {r[0] for r in q("SELECT id FROM resources WHERE owner_org_id = :o", o=lab)}
        instruments = [r[0] for r in q(
            "SELECT r.id FROM resources r JOIN res_instrument i ON i.id = r.id LEFT JOIN booking_settings s "
            "ON s.instrument_id = r.id WHERE r.status = 'published' AND i.bookable AND i.price_unit = 'hour' "
            "AND i.service_mode <> 'self_operated' ORDER BY r.owner_org_id = :o DESC, r.id LIMIT 20", o=lab)]
        achievements = [r[0] for r in q(
            "SELECT r.id FROM resources r JOIN res_achievement a ON a.id = r.id WHERE r.status = 'published' "
            "AND a.listing_mode = 'negotiated' AND r.owner_org_id <> :c ORDER BY r.id LIMIT 20", c=company)]
        resources = [r[0] for r in q("SELECT id FROM resources WHERE status = 'published' ORDER BY id LIMIT 300")]
        # what is owed, by who may pay it: a bill by any member of its organisation (the first one), a
        # completed booking not on a bill by its booker
        owed = defaultdict(lambda: {"bills": [], "bookings": []})
        for user, bill in q("SELECT (SELECT min(u.id) FROM users u WHERE u.organisation_id = b.org_id AND u.active), "
                            "b.id FROM billing_bills b WHERE b.status IN ('open', 'overdue') "
                            "AND b.total - b.paid_amount BETWEEN 1 AND :c ORDER BY b.id", c=CARD_CEILING):
            if user is not None:
                owed[user]["bills"].append(bill)
        for user, booking in q(
                "SELECT b.user_id, b.id FROM bookings b JOIN users u ON u.id = b.user_id AND u.active "
                "WHERE b.status = 'completed' AND NOT EXISTS (SELECT 1 FROM billing_bill_lines l "
                "WHERE l.booking_id = b.id AND l.live) ORDER BY b.id"):
            owed[user]["bookings"].append(booking)
        payers = []
        with cli_unit_of_work():
            tokens = {who: services.create_api_token(services.get_user_by_email(f"{who}@demo.cn"), "soak")[1]
                      for who in ("company", "lab")}
            # the ones owing most first; bills first (few organisations have one)
            ranked = sorted(owed.items(), key=lambda kv: (-len(kv[1]["bills"]), -len(kv[1]["bookings"])))
            for user_id, things in ranked[:MAX_PAYERS]:
                user = db.session.get(User, user_id)
                token = services.create_api_token(user, "soak")[1]
                payers.append({"email": user.email, "token": token, **things})
        return {"tokens": tokens, "instruments": instruments,
                "lab_instruments": [i for i in instruments if i in lab_instruments], "achievements": achievements,
                "resources": resources, "payers": payers, "password": DEMO_PASSWORD}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--resources", type=int, default=300)
    args = parser.parse_args(argv)
    from marketplace import create_app

    began = time.time()
    app = create_app()
    timings = {"app": round(time.time() - began, 1), **prepare(app, args.resources)}
    began = time.time()
    out = cast(app)
    timings["cast"] = round(time.time() - began, 1)
    sys.stdout.write("\n" + json.dumps({**out, "timings": timings}) + "\n")


if __name__ == "__main__":
    main()
