"""Demo data of verification: every demo organisation gets a checked identity (a USCC with a valid
check character; out-of-province companies re-registered outside Jiangsu) and verified qualifications
matching its demo profile (in_province, sme for this year, high_tech within its three years). One
in-province company is left unverified: its claims wait in the reviewers' queue with a PDF."""
import io
import random
from datetime import date, timedelta

import sqlalchemy as sa
from stdnum.cn import uscc as stdnum_uscc

from ..accounts.models import Organisation, User
from ..core.timeutil import utcnow
from ..extensions import db
from .models import OrganisationIdentity, Qualification
from .services import seed_identity, today

# Where the demo's out-of-province companies are registered (GB/T 2260 district codes).
OUT_OF_PROVINCE_DIVISIONS = {"上海": "310104", "浙江": "330106", "安徽": "340104", "北京": "110108",
                             "广东": "440305", "山东": "370102"}
EVIDENCE_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
                b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def reprefix(code: str, division: str) -> str:
    """The same organisation code registered under another division, with its check character."""
    body = code[:2] + division + code[8:17]
    return body + stdnum_uscc.calc_check_digit(body)


def unverified_company(orgs: list[dict]) -> dict | None:
    """The demo's one unverified company: the first plain in-province SME after the demo accounts' own."""
    return next((o for o in orgs if o["kind"] == "enterprise" and o["in_province"] and o["sme"]
                 and not o.get("demo")), None)


def _legal_rep(rng) -> str:
    from ..demo.generator import person
    return person(rng)[0]


def seed_verification(rng: random.Random, orgs: list[dict]) -> int:
    """Identities and qualifications for the demo organisations; returns the number of verified claims."""
    day = today()
    reviewer = db.session.scalar(sa.select(User).where(User.email == "reviewer@demo.cn"))
    done = set(db.session.scalars(sa.select(OrganisationIdentity.org_id)))
    pending = unverified_company(orgs)
    region_of = {}
    rows = []
    for o in orgs:
        if o["id"] in done:
            continue
        org = db.session.get(Organisation, o["id"])
        code = o["credit_code"]
        if not o["in_province"]:
            region = o["name"][:2]
            code = reprefix(code, OUT_OF_PROVINCE_DIVISIONS.get(region, "310104"))
            region_of[o["id"]] = region
        ident = seed_identity(org, uscc=code, legal_name=o["name"], legal_rep=_legal_rep(rng))
        if pending is not None and o["id"] == pending["id"]:
            _pending_claims(org, ident, day)
            continue
        claims = []
        if ident.uscc[2:4] == "32":
            claims.append(("in_province", ident.uscc, None, None))
        if o["kind"] == "enterprise" and o["sme"]:
            claims.append(("sme", f"{day.year}{ident.uscc[2:8]}{org.id:06d}", date(day.year, 1, 1),
                           date(day.year, 12, 31)))
        if o["kind"] == "enterprise" and o["high_tech"]:
            issued = day - timedelta(days=rng.randint(30, 900))
            until = _three_years(issued)
            claims.append(("high_tech", f"GR{issued.year}{ident.uscc[2:4]}{org.id:05d}", issued, until))
        decided = utcnow()
        for kind, number, start, end in claims:
            rows.append(Qualification(org_id=org.id, kind=kind, status="verified", number=number, uscc=ident.uscc,
                                      valid_from=start, valid_until=end, decided_at=decided,
                                      decided_by_id=getattr(reviewer, "id", None)))
    db.session.add_all(rows)
    db.session.flush()
    return len(rows)


def _three_years(issued: date) -> date:
    try:
        return issued.replace(year=issued.year + 3) - timedelta(days=1)
    except ValueError:
        return issued.replace(year=issued.year + 3, day=28) - timedelta(days=1)


def _pending_claims(org, ident, day):
    """The unverified company: in_province and sme claimed by its admin with a PDF, awaiting review."""
    from ..uploads.services import store_upload
    from .services import claim_qualification
    admin = db.session.scalar(sa.select(User).where(User.organisation_id == org.id, User.org_admin.is_(True))
                              .order_by(User.id))
    if admin is None:
        return
    licence = store_upload(io.BytesIO(EVIDENCE_PDF), "营业执照.pdf", actor=admin)
    claim_qualification(org, actor=admin, kind="in_province", number=None, document_ids=[licence.id])
    certificate = store_upload(io.BytesIO(EVIDENCE_PDF), "科技型中小企业入库证明.pdf", actor=admin)
    claim_qualification(org, actor=admin, kind="sme", number=f"{day.year}{ident.uscc[2:8]}{org.id:06d}",
                        document_ids=[certificate.id])


def grant(org, *, sme: bool = False, high_tech: bool = False, in_province: bool = True,
          valid_from: date | None = None, valid_until: date | None = None, reviewer=None) -> OrganisationIdentity:
    """Give `org` an identity (a USCC made from its id, in or outside Jiangsu) and verified sme /
    high_tech qualifications valid from `valid_from` to `valid_until` (default: a year back, two ahead).
    For the demo and the tests: it writes verified rows directly, without the claim's checks."""
    ident = db.session.get(OrganisationIdentity, org.id)
    if ident is None:
        body = f"{org.id % 10**8:08d}"
        s = sum(int(d) * w for d, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=False))
        c = 11 - s % 11
        code = reprefix("91" + "000000" + body + ("X" if c == 10 else "0" if c == 11 else str(c)) + "0",
                        "320505" if in_province else "310104")
        ident = seed_identity(org, uscc=code, legal_name=org.name, legal_rep=f"法定代表人{org.id}")
    if in_province and ident.uscc[2:4] == "32" and not db.session.scalar(
            sa.select(Qualification.id).where(Qualification.kind == "in_province", Qualification.status == "verified",
                                              Qualification.number == ident.uscc)):
        # The business licence, verified: the only way a Jiangsu USCC counts as in-province.
        db.session.add(Qualification(org_id=org.id, kind="in_province", status="verified", number=ident.uscc,
                                     uscc=ident.uscc, decided_at=utcnow(), decided_by_id=getattr(reviewer, "id", None)))
    day = today()
    start = valid_from or day.replace(year=day.year - 1)
    end = valid_until or day.replace(year=day.year + 2)
    for kind, wanted, number in (("sme", sme, f"{start.year}{ident.uscc[2:8]}{org.id:06d}"),
                                 ("high_tech", high_tech, f"GR{start.year}{ident.uscc[2:4]}{org.id % 10**6:06d}")):
        if wanted:
            db.session.add(Qualification(org_id=org.id, kind=kind, status="verified", number=number, uscc=ident.uscc,
                                         valid_from=start, valid_until=end, decided_at=utcnow(),
                                         decided_by_id=getattr(reviewer, "id", None)))
    db.session.flush()
    return ident
