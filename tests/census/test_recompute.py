"""The census SQL against an independent recomputation in plain Python from the raw rows.

Random bookings in every state (with and without actual times, across the year boundary, with
fractional seconds) on SQLite and PostgreSQL: every figure of every grouping equals the Python one
exactly; cancelled, rejected and no-show bookings contribute nothing.
"""
import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from marketplace.accounts.models import Organisation
from marketplace.booking.models import Booking
from marketplace.catalog.models import Instrument
from marketplace.census.services.census import census, monthly, orgs_served_total
from marketplace.extensions import db

from .conftest import YEAR

SH = ZoneInfo("Asia/Shanghai")
STATES = ("requested", "approved", "rejected", "in_use", "completed", "settled", "cancelled", "no_show")


def _utc(local: datetime) -> datetime:
    return local.replace(tzinfo=SH).astimezone(UTC).replace(tzinfo=None)


def _random_bookings(rng, world, add_booking, n=300):
    insts = world["instruments"]
    users = list(world["users"].values())
    held = defaultdict(list)  # active bookings may not overlap (the database refuses it on PostgreSQL)
    for _ in range(n):
        inst, user = rng.choice(insts), rng.choice(users)
        # local times from mid-December of the year before to mid-January after: boundaries matter
        start = _utc(datetime(YEAR - 1, 12, 20) + timedelta(minutes=rng.randrange(0, 60 * 24 * 400)))
        start = start.replace(microsecond=rng.choice((0, 0, 123456, 999999)))
        end = start + timedelta(minutes=rng.randint(15, 600))
        status = rng.choice(STATES)
        if status in ("requested", "approved", "in_use"):
            if any(s < end and start < e for s, e in held[inst.id]):
                status = "cancelled"
            else:
                held[inst.id].append((start, end))
        actual = None
        if status in ("completed", "settled", "in_use", "cancelled", "no_show") and rng.random() < 0.9:
            a0 = start + timedelta(seconds=rng.randint(-1800, 1800), microseconds=rng.randint(0, 999999))
            actual = (a0, a0 + timedelta(seconds=rng.randint(60, 40000), microseconds=rng.randint(0, 999999)))
        add_booking(inst, user, start, end, status=status, actual=actual, fee=rng.randint(0, 500_000))


def _python_census(year):
    """The census from raw rows, without SQL arithmetic: the oracle."""
    lo = _utc(datetime(year, 1, 1))
    hi = _utc(datetime(year + 1, 1, 1))
    orgs = {o.id: o for o in db.session.scalars(sa.select(Organisation))}
    insts = {i.id: i for i in db.session.scalars(sa.select(Instrument))}
    root = lambda oid: orgs[oid].parent_id or oid
    keys = {"instrument": lambda i: i.id, "org": lambda i: i.owner_org_id, "city": lambda i: i.city,
            "type": lambda i: i.category_l1 or ""}
    keys["month"] = None  # by the local month of the actual start
    out = {g: defaultdict(lambda: {"used": 0, "ext": 0, "inc_int": 0, "inc_ext": 0, "orgs": set()}) for g in keys}
    every_org = set()
    for b in db.session.scalars(sa.select(Booking)):
        if b.status not in ("completed", "settled") or b.actual_start is None or b.actual_end is None:
            continue
        if not (lo <= b.actual_start < hi) or b.actual_end <= b.actual_start:
            continue
        secs = int((b.actual_end.replace(microsecond=0) - b.actual_start.replace(microsecond=0)).total_seconds())
        external = root(b.org_id) != root(b.provider_org_id)
        if external:
            every_org.add(b.org_id)
        inst = insts[b.instrument_id]
        month = b.actual_start.replace(tzinfo=UTC).astimezone(SH).month
        for g, key in keys.items():
            row = out[g][key(inst) if key else month]
            row["used"] += secs
            if external:
                row["ext"] += secs
                row["inc_ext"] += b.fee
                row["orgs"].add(b.org_id)
            else:
                row["inc_int"] += b.fee
    return out, len(every_org)


@pytest.mark.parametrize("seed", [1, 2])
def test_census_equals_an_independent_recomputation(app, world, add_booking, seed):
    _random_bookings(random.Random(seed), world, add_booking)
    expected, all_orgs = _python_census(YEAR)
    for group_by in ("instrument", "org", "city", "type"):  # (and "month", checked below)
        got = {r.key: r for r in census(YEAR, group_by) if r.used_seconds or r.instruments}
        want = expected[group_by]
        used_keys = {k for k, r in got.items() if r.used_seconds}
        assert used_keys == {k for k, v in want.items() if v["used"]}, group_by
        for key, w in want.items():
            r = got[key]
            assert (r.used_seconds, r.external_seconds, r.income_internal, r.income_external, r.orgs_served) == \
                (w["used"], w["ext"], w["inc_int"], w["inc_ext"], len(w["orgs"])), (group_by, key)
            d = r.as_dict()
            assert d["used_hours"] == round(w["used"] / 3600, 2)
            assert d["share_rate"] == (round(w["ext"] / w["used"], 4) if w["used"] else None)
            if r.quota_seconds:
                assert d["utilisation"] == round(w["used"] / r.quota_seconds, 4)
    assert orgs_served_total(YEAR) == all_orgs
    months = monthly(YEAR)
    assert [m["used_hours"] for m in months] == [round(expected["month"][m]["used"] / 3600, 2) for m in range(1, 13)]
    assert [m["external_hours"] for m in months] == [round(expected["month"][m]["ext"] / 3600, 2) for m in range(1, 13)]
    assert [m["orgs_served"] for m in months] == [len(expected["month"][m]["orgs"]) for m in range(1, 13)]


def test_cancelled_rejected_and_no_show_contribute_nothing(app, world, add_booking):
    inst = world["instruments"][0]
    user = world["users"][world["orgs"]["co1"].id]
    day = _utc(datetime(YEAR, 3, 3, 9))
    for i, status in enumerate(("cancelled", "rejected", "no_show", "requested", "approved", "in_use")):
        start = day + timedelta(days=i)
        add_booking(inst, user, start, start + timedelta(hours=2), status=status,
                    actual=(start, start + timedelta(hours=2)), fee=50_000)
    rows = {r.key: r for r in census(YEAR, "instrument")}
    r = rows[inst.id]
    assert (r.used_seconds, r.external_seconds, r.income_internal, r.income_external, r.orgs_served) == (0, 0, 0, 0, 0)
    start = day + timedelta(days=10)
    add_booking(inst, user, start, start + timedelta(hours=2), status="completed",
                actual=(start, start + timedelta(hours=1, minutes=30)), fee=60_000)
    r = {r.key: r for r in census(YEAR, "instrument")}[inst.id]
    assert (r.used_seconds, r.external_seconds, r.income_external, r.orgs_served) == (5400, 5400, 60_000, 1)


def test_related_party_use_is_internal_and_quota_follows_the_category(app, world, add_booking):
    nmr = world["instruments"][1]  # 专用仪器: 800 h quota by default
    sub_user = world["users"][world["orgs"]["sub"].id]  # a company under the lab's parent university
    start = _utc(datetime(YEAR, 5, 6, 9))
    add_booking(nmr, sub_user, start, start + timedelta(hours=8), status="settled",
                actual=(start, start + timedelta(hours=8)), fee=80_000)
    r = {r.key: r for r in census(YEAR, "instrument")}[nmr.id]
    assert r.quota_seconds == 800 * 3600
    assert (r.used_seconds, r.external_seconds, r.income_internal, r.income_external) == (8 * 3600, 0, 80_000, 0)
    assert r.as_dict()["utilisation"] == round(8 / 800, 4)
    assert r.as_dict()["share_rate"] == 0.0
