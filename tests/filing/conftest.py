import io
import itertools
from datetime import date

import pytest
from stdnum.cn import ric, uscc

from marketplace.extensions import db

PDF = b"%PDF-1.4\n%%EOF\n"
_serial = itertools.count(1)


def id_number(n: int | None = None) -> str:
    """A valid resident ID number (GB 11643 check digit), different for each n."""
    n = next(_serial) if n is None else n
    body = f"3201021990{(n // 1000) % 12 + 1:02d}07{n % 1000:03d}0"
    return body[:-1] + ric.calc_check_digit(body)


def credit_code(n: int | None = None) -> str:
    n = next(_serial) if n is None else n
    body = f"91320100MA1W{n:05d}"
    return body + uscc.calc_check_digit(body)


def manager(level="intermediate", **kw):
    n = next(_serial)
    values = {"name": f"经理{n}", "email": f"m{n}@firm.cn", "id_number": id_number(n),
              "certificate_no": f"JSJL{n:06d}", "level": level, "degree": "硕士"}
    values.update(kw)
    return values


def application(**kw):
    n = next(_serial)
    values = {"name": f"江苏测试技术经理人事务所{n}", "uscc": credit_code(n), "legal_rep": "王立",
              "city": "南京", "address": "南京市玄武区珠江路 88 号", "founded_on": date(2020, 5, 1),
              "business_scope": "技术转移、技术经纪、知识产权运营", "premises_m2": 120,
              "managers": [manager("senior"), manager(), manager("junior")]}
    values.update(kw)
    return values


@pytest.fixture
def make_upload(app):
    from marketplace.uploads.services import store_upload

    def _make(user, data=PDF, name="营业执照.pdf"):
        upload = store_upload(io.BytesIO(data), name, actor=user)
        db.session.commit()
        return upload
    return _make


@pytest.fixture
def reviewer(make_user):
    return make_user(roles=("reviewer",), name="审核员")


@pytest.fixture
def admin(make_user):
    return make_user(roles=("admin",), name="管理员")


@pytest.fixture
def make_filing(app, make_user, make_upload, reviewer):
    """A filing by a new person, taken to `status` through the services."""
    from marketplace.filing import services as s

    def _make(status="draft", applicant=None, **kw):
        applicant = applicant or make_user()
        data = application(**kw)
        firm = s.create_filing(data, actor=applicant)
        s.update_filing(firm, {"document_ids": [make_upload(applicant).id]}, actor=applicant)
        db.session.commit()
        path = {"draft": [], "submitted": ["submit"], "under_review": ["submit", "start-review"],
                "returned": ["submit", "start-review", "return"],
                "approved": ["submit", "start-review", "approve"],
                "rejected": ["submit", "start-review", "reject"]}[status]
        for action in path:
            s.ACTIONS[action](firm, reviewer if action != "submit" else applicant,
                              comments={"basic": "地址不完整"}, reason="材料不符")
            db.session.commit()
        return firm
    return _make
