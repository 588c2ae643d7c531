"""Load the demo data into the database, fast enough for 100,000 resources.

`seed_demo(resources, seed, progress)` is what `flask seed-demo` calls. Organisations and users go
through the ORM (a few hundred rows); resources are bulk-inserted in chunks with ids assigned here
(common table, per-type table, platform rows). The password hash is computed once. Search indexing
after commit is switched off during the load; `search rebuild` builds the index afterwards.
"""
from __future__ import annotations

import logging
import random
import time
from datetime import UTC, datetime

import click
import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ..accounts.models import Organisation, User, UserRole
from ..catalog.identifiers import cstr_for
from ..catalog.models import MODELS, Resource, ResourcePlatform
from ..catalog.types import RESOURCE_TYPES
from ..core.db import writing
from ..core.uow import unit_of_work
from ..extensions import db
from .generator import generate_organisations, generate_resources, person

log = logging.getLogger(__name__)

DEMO_PASSWORD = "demo12345"
CHUNK = 5000

# The demo accounts of CONTRACT.md: email → (name, organisation marker, org admin, platform roles)
DEMO_ACCOUNTS = {
    "admin@demo.cn": ("平台管理员", "platform", True, ("admin",)),
    "reviewer@demo.cn": ("审核员 王静", "platform", False, ("reviewer",)),
    "registrar@demo.cn": ("登记员 赵宁（技术合同登记）", "platform", False, ("reviewer",)),
    "finance@demo.cn": ("财务 李敏", "platform", False, ("finance",)),
    "lab@demo.cn": ("陈晓峰（现代分析中心）", "lab", True, ()),
    "company@demo.cn": ("周立新（博远新材料）", "company", True, ()),
    "broker@demo.cn": ("孙海涛（技术经理人）", "broker", False, ()),
}


class DatabaseNotEmpty(click.ClickException):
    """The database already has users; seeding again needs force=True."""


def _hash_password(password: str) -> str:
    from ..accounts.services import hash_password
    return hash_password(password)


def _report(progress, n):
    if progress is None:
        return
    if hasattr(progress, "update"):
        progress.update(n)
    else:
        progress(n)


def seed_demo(resources: int = 600, seed: int = 42, progress=None, force: bool = False,
              chunk: int = CHUNK, hooks: bool = True) -> dict:
    """Insert the demo organisations, accounts and `resources` resources; return counts and timing.

    progress: optional callable taking the number of resources just written (e.g. a click
    progress bar's `update`), or an object with `.update(n)`.
    Raises DatabaseNotEmpty (a click.ClickException) when users exist, unless force=True.
    hooks: also run the optional demo hooks of other domains (subsidy programme, bookings).
    """
    started = time.perf_counter()
    app = current_app._get_current_object()
    db.session.rollback()  # end any read transaction before taking the write lock
    if not force and db.session.scalar(sa.select(sa.func.count()).select_from(User)):
        raise DatabaseNotEmpty(_("数据库中已有用户，未加载演示数据（使用 --force 强制加载）"))
    auto_index = app.config.get("AUTO_INDEX", True)
    app.config["AUTO_INDEX"] = False
    try:
        rng = random.Random(seed)
        orgs = generate_organisations(rng)
        with unit_of_work(show=False):
            org_ids = _insert_organisations(orgs)
            users, admin_of = _insert_users(rng, orgs, org_ids)
        with writing():  # the id read before the first chunk already takes the write lock
            stats = _insert_resources(resources, seed, orgs, admin_of, progress, chunk)
        hooks_done = _run_hooks(seed, orgs, users, stats) if hooks else {}
    finally:
        app.config["AUTO_INDEX"] = auto_index
    result = {"organisations": len(orgs), "users": len(users), "resources": resources,
              "hooks": hooks_done, "seconds": round(time.perf_counter() - started, 1)}
    log.info("demo data loaded: %s", result)
    return result


def _insert_organisations(orgs: list[dict]) -> dict[str, int]:
    existing = dict(db.session.execute(sa.select(Organisation.name, Organisation.id)).all())
    objects = {}
    for o in orgs:
        if o["name"] in existing:
            o["id"] = existing[o["name"]]
            continue
        objects[o["key"]] = Organisation(name=o["name"], kind=o["kind"], city=o["city"], credit_code=o["credit_code"],
                                         sme=o["sme"], high_tech=o["high_tech"], in_province=o["in_province"])
    db.session.add_all(objects.values())
    db.session.flush()
    for o in orgs:
        if o["key"] in objects:
            o["id"] = objects[o["key"]].id
    ids = {o["key"]: o["id"] for o in orgs}
    parents = {o["key"]: o["parent"] for o in orgs}
    for key, obj in objects.items():
        if parents[key]:
            obj.parent_id = ids[parents[key]]
    db.session.flush()
    return ids


def _insert_users(rng, orgs, org_ids):
    """Demo accounts plus two to four members per organisation; one hash for all."""
    pw_hash = _hash_password(DEMO_PASSWORD)
    existing = set(db.session.scalars(sa.select(User.email)))
    by_marker = {o["demo"]: o for o in orgs if o.get("demo")}
    users: list[User] = []
    admin_of: dict[str, int] = {}
    roles: list[tuple[User, str]] = []
    for email, (name, marker, org_admin, platform_roles) in DEMO_ACCOUNTS.items():
        org = by_marker[marker]
        if email in existing:
            continue
        u = User(email=email, name=name, password_hash=pw_hash, organisation_id=org["id"], org_admin=org_admin,
                 phone=f"139{rng.randint(1000_0000, 9999_9999)}")
        users.append(u)
        roles += [(u, r) for r in platform_roles]
    for o in orgs:
        for i in range(rng.randint(2, 4)):
            name, py = person(rng)
            email = f"{py}{'' if i == 0 else i}@{o['domain']}"
            if email in existing:
                continue
            existing.add(email)
            users.append(User(email=email, name=name, password_hash=pw_hash, organisation_id=o["id"],
                              org_admin=(i == 0), phone=f"13{rng.randint(0, 9)}{rng.randint(1000_0000, 9999_9999)}"))
    db.session.add_all(users)
    db.session.flush()
    for u, role in roles:
        db.session.add(UserRole(user_id=u.id, role=role))
    key_of = {o["id"]: o["key"] for o in orgs}
    for u in users:
        if u.org_admin and u.organisation_id:
            admin_of.setdefault(key_of[u.organisation_id], u.id)
    db.session.flush()
    return users, admin_of


def _insert_resources(n, seed, orgs, admin_of, progress, chunk):
    if n <= 0:
        return {"instruments": []}
    common_cols = [c.name for c in Resource.__table__.columns]
    type_cols = {k: [f.name for f in spec.fields] for k, spec in RESOURCE_TYPES.items()}
    next_id = (db.session.scalar(sa.select(sa.func.max(Resource.id))) or 0) + 1
    anchor = datetime.now(UTC).replace(tzinfo=None, hour=2, minute=0, second=0, microsecond=0)
    by_key = {o["key"]: o for o in orgs}
    instruments: list[dict] = []
    buf: list[dict] = []

    def flush():
        if not buf:
            return
        common, platforms = [], []
        per_type: dict[str, list[dict]] = {}
        for row in buf:
            common.append({c: row.get(c) for c in common_cols})
            per_type.setdefault(row["type"], []).append({"id": row["id"], **{c: row[c] for c in type_cols[row["type"]]}})
            platforms += [{"resource_id": row["id"], "platform": p} for p in row["platforms"]]
        with unit_of_work(show=False):  # one transaction per chunk: memory stays flat at any size
            db.session.execute(sa.insert(Resource.__table__), common)
            for rtype, rows in per_type.items():
                db.session.execute(sa.insert(MODELS[rtype].__table__), rows)
            db.session.execute(sa.insert(ResourcePlatform.__table__), platforms)
        _report(progress, len(buf))
        buf.clear()

    for row in generate_resources(n, seed, orgs, anchor=anchor):
        row["id"] = next_id
        next_id += 1
        row["owner_org_id"] = by_key[row["owner_key"]]["id"]
        row["created_by_id"] = admin_of.get(row["owner_key"])
        if row["published_at"] is not None:  # published once: it holds its persistent identifier
            row["cstr"] = cstr_for(row["type"], row["id"])
        if row["type"] == "instrument" and row["status"] == "published":
            instruments.append({"id": row["id"], "owner_org_id": row["owner_org_id"], "owner_key": row["owner_key"],
                                "service_mode": row["service_mode"], "price_unit": row["price_unit"],
                                "bookable": row["bookable"], "original_value": row["original_value"]})
        buf.append(row)
        if len(buf) >= chunk:
            flush()
    flush()
    _fix_sequences()
    return {"instruments": instruments}


def _fix_sequences():
    """PostgreSQL: move the id sequence past the ids assigned here."""
    if db.engine.dialect.name != "postgresql":
        return
    with unit_of_work(show=False):
        db.session.execute(sa.text(
            "SELECT setval(pg_get_serial_sequence('resources', 'id'), (SELECT COALESCE(MAX(id), 1) FROM resources))"))


# -- hooks of other domains -------------------------------------------------------------------------

def _run_hooks(seed, orgs, users, stats) -> dict:
    """The other domains' demo data: the subsidy programme, bookings, and their subsidies.

    Each runs in its own write transaction; a failure stops the seed (a broken demo is a bug).
    """
    from ..auctions.demo import seed_auctions
    from ..billing.demo import seed_bills
    from ..booking.demo import seed_bookings
    from ..census.demo import seed_census
    from ..events.demo import seed_events
    from ..filing.demo import seed_filings
    from ..registration.demo import seed_registrations
    from ..requests.demo import seed_requests
    from ..subsidy.demo import seed_programme, seed_subsidies
    from ..trading.demo import seed_trading
    from ..verification.demo import seed_verification

    companies = [o for o in orgs if o["kind"] == "enterprise"]
    steps = [
        ("verification", lambda rng: seed_verification(rng, orgs)),
        ("programme", lambda rng: seed_programme(rng)),
        ("bookings", lambda rng: seed_bookings(rng, stats["instruments"], companies, users)),
        ("subsidies", lambda rng: seed_subsidies(rng)),
        ("bills", lambda rng: seed_bills(rng)),
        ("registrations", lambda rng: seed_registrations(rng, orgs, users)),
        ("census", lambda rng: seed_census(rng)),
        ("events", lambda rng: seed_events(rng)),
        ("requests", lambda rng: seed_requests(rng)),
        ("filings", lambda rng: seed_filings(rng, users)),
        ("trading", lambda rng: seed_trading(rng, companies, users)),
        ("auctions", lambda rng: seed_auctions(rng)),
    ]
    done = {}
    for name, step in steps:
        with unit_of_work(show=False):
            result = step(random.Random(f"{name}:{seed}"))
        done[name] = result if isinstance(result, (int, str)) else True
    return done
