"""Issue 9 item 1: subsidy rates and eligibility rest only on verified, unexpired qualifications and
on the related-party function, never on self-declared flags; the quote and the booking say why."""
import io
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from marketplace.core.db import writing
from marketplace.core.timeutil import to_local, utcnow
from marketplace.extensions import db
from marketplace.subsidy import services as ss
from marketplace.subsidy.models import Reservation
from marketplace.uploads.services import store_upload
from marketplace.verification import services as vs
from marketplace.verification.demo import grant
from marketplace.verification.models import Qualification

from ..verification.conftest import PDF, make_uscc


def reservation(b):
    return db.session.scalar(sa.select(Reservation).where(Reservation.booking_id == b.id))


def user_of(world, org):
    return world.make_user(org=org)


def test_self_declared_sme_gets_the_default_rate(world):
    world.new_programme()
    org = world.make_org(kind="enterprise", city="无锡", sme=True, high_tech=True, verified=False)
    vs.seed_identity(org, uscc=make_uscc("320211", seed=41), legal_name=org.name, legal_rep="周一")
    grant(org)  # its business licence verified: in-province, and nothing else
    db.session.commit()
    b = world.book(user=user_of(world, org))
    world.approve(b)
    res = reservation(b)
    assert res.rate_bp == 2000 and b.user_subsidy == 16_000  # 20 % of ¥800, not 40 %


def test_verified_sme_rate_and_expiry(world):
    world.new_programme()
    verified = world.make_org(kind="enterprise", city="无锡", sme=True)
    b = world.book(user=user_of(world, verified))
    world.approve(b)
    assert reservation(b).rate_bp == 3000 and b.user_subsidy == 24_000
    lapsed = world.make_org(kind="enterprise", city="无锡", verified=False)
    grant(lapsed, sme=True, valid_from=date(2025, 1, 1), valid_until=date(2025, 12, 31))
    db.session.commit()
    b2 = world.book(user=user_of(world, lapsed))  # booked in December 2026
    world.approve(b2)
    assert reservation(b2).rate_bp == 2000


def test_no_checked_uscc_no_user_subsidy(world):
    world.new_programme()
    org = world.make_org(kind="enterprise", city="无锡", sme=True, in_province=True, verified=False)
    b = world.book(user=user_of(world, org))
    world.approve(b)
    res = reservation(b)
    assert b.user_subsidy == 0 and res.reason_code == "out_of_province" and not res.user_eligible


def test_related_parties_by_legal_representative_earn_nothing(world):
    world.new_programme()
    vs.seed_identity(world.lab, uscc=make_uscc("320102", seed=51, authority="12"), legal_name=world.lab.name,
                     legal_rep="吴大伟")
    shell = world.make_org(kind="enterprise", city="南京", sme=True)
    ident = vs.identity_of(shell)
    vs.seed_identity(shell, uscc=ident.uscc, legal_name=shell.name, legal_rep="吴 大伟")
    db.session.commit()
    b = world.book(user=user_of(world, shell))
    world.approve(b)
    res = reservation(b)
    assert b.user_subsidy == 0 and res.reason_code == "related_party" and not res.provider_eligible


def test_related_parties_by_uscc_root_and_shared_member(world):
    world.new_programme()
    lab_code = make_uscc("320102", seed=61, authority="12")
    vs.seed_identity(world.lab, uscc=lab_code, legal_name=world.lab.name, legal_rep="郑教授")
    twin = world.make_org(kind="enterprise", city="南京", sme=True)
    vs.seed_identity(twin, uscc=make_uscc("320104", org_code=lab_code[8:17], authority="91"),
                     legal_name=twin.name, legal_rep="另一人")
    grant(twin)  # the new USCC's licence verified too
    db.session.commit()
    b = world.book(user=user_of(world, twin))
    world.approve(b)
    assert reservation(b).reason_code == "related_party"
    friend = world.make_org(kind="enterprise", city="南京", sme=True)
    world.make_user(org=world.lab, phone="13800000001")
    b2 = world.book(user=world.make_user(org=friend, phone="138 0000 0001"))
    world.approve(b2)
    assert reservation(b2).reason_code == "related_party"


def _next_weekday_slot():
    day = to_local(utcnow()).date() + timedelta(days=3)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, 10, 0)


def test_quote_says_why_and_changes_after_verification(app, world, login, make_org):
    start = _next_weekday_slot()
    with writing():
        if ss.programme_for_year(start.year) is None:
            ss.create_programme(name="补贴", year=start.year, budget=10**10, actor=world.admin)
        db.session.commit()
    org = world.make_org(kind="enterprise", city="苏州", sme=True, verified=False)
    vs.seed_identity(org, uscc=make_uscc("320505", seed=71), legal_name=org.name, legal_rep="钱多")
    grant(org)
    user = world.make_user(org=org, org_admin=True)
    db.session.commit()
    client = app.test_client()
    login(client, user)
    form = {"start": start.strftime("%Y-%m-%dT%H:%M"), "end": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "purpose": "材料表征"}
    html = client.post(f"/booking/instruments/{world.instrument.id}/book", data=form).get_data(as_text=True)
    assert 'id="quoted-rate">20%' in html and "科技型中小企业资质未核验" in html
    assert 'data-flag="sme" data-applies="no"' in html and "入库登记编号" in html  # how to get verified
    reviewer = world.make_user(org=make_org(kind="government"), roles=("reviewer",))
    doc = store_upload(io.BytesIO(PDF), "入库证明.pdf", actor=user)
    claim = vs.claim_qualification(org, actor=user, kind="sme", number=f"{start.year}320505{org.id:06d}",
                                   document_ids=[doc.id])
    db.session.commit()
    html = client.post(f"/booking/instruments/{world.instrument.id}/book", data=form).get_data(as_text=True)
    assert 'id="quoted-rate">20%' in html and "等待平台审核" in html
    vs.verify_qualification(db.session.get(Qualification, claim.id), actor=reviewer)
    db.session.commit()
    html = client.post(f"/booking/instruments/{world.instrument.id}/book", data=form).get_data(as_text=True)
    assert 'id="quoted-rate">30%' in html and "已核验的科技型中小企业" in html
    assert 'id="quoted-subsidy">¥240.00' in html
