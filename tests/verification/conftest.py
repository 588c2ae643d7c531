"""Factories of the verification tests: USCCs with valid check characters, PDFs, claims."""
import io
import random

import pytest

from marketplace.extensions import db

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def make_uscc(division: str = "320505", org_code: str | None = None, authority: str = "91", seed: int = 0) -> str:
    from stdnum.cn import uscc
    rng = random.Random(seed)
    if org_code is None:
        body = [rng.randint(0, 9) for _ in range(8)]
        s = sum(d * w for d, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=False))
        c = 11 - s % 11
        org_code = "".join(map(str, body)) + ("X" if c == 10 else "0" if c == 11 else str(c))
    head = authority + division + org_code
    return head + uscc.calc_check_digit(head)


@pytest.fixture
def uscc_for():
    counter = iter(range(1, 10**6))
    return lambda division="320505", **kw: make_uscc(division, seed=kw.pop("seed", next(counter)), **kw)


@pytest.fixture
def pdf_upload(app):
    from marketplace.uploads.services import store_upload

    def _make(user, name="证明.pdf"):
        upload = store_upload(io.BytesIO(PDF), name, actor=user)
        db.session.commit()
        return upload

    return _make


@pytest.fixture
def company(make_org, make_user, uscc_for):
    """An in-province enterprise with a checked identity and its admin."""
    from marketplace.verification.services import seed_identity
    org = make_org(kind="enterprise", city="苏州", verified=False)  # its licence not yet verified
    admin = make_user(org, org_admin=True)
    seed_identity(org, uscc=uscc_for(), legal_name=org.name, legal_rep="张三")
    db.session.commit()
    return org, admin


@pytest.fixture
def reviewer(make_org, make_user):
    centre = make_org(kind="government", name="省科技资源统筹服务中心")
    return make_user(centre, roles=("reviewer",))
