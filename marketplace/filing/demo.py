"""Demo filings: ~40 technology-manager firms in every state across the 13 cities.

`broker@demo.cn` is an active manager of 江苏汇智技术转移服务有限公司 (approved); `applicant@demo.cn` filed a firm that
was sent back for correction (returned); one approved firm has
an overdue annual report. Called by the demo seeder inside a write transaction; it writes rows
directly (no notifications) but keeps every rule the database enforces: consecutive numbers per
year with the counter in step, a person active in one firm at most, valid USCC and ID numbers.
"""
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from stdnum.cn import ric

from ..accounts.models import Organisation, User
from ..core import audit
from ..core.reference import CITIES
from ..core.timeutil import local_to_utc_naive, to_local, utcnow
from ..demo.generator import credit_code, person
from ..extensions import db
from .models import AnnualReport, FilingCounter, Firm, FirmComment, FirmManager
from .rules import format_number, id_number_error

CITY_LIST = list(CITIES)
WORDS = ["汇才", "启明", "智桥", "博远", "创融", "科达", "云帆", "金石", "鼎新", "联创", "思源", "广域", "恒信",
         "同舟", "嘉禾", "致远", "华智", "卓越", "星火", "融通", "天工", "明德", "瑞丰", "众诚", "新桥", "信达",
         "乐业", "立方", "远景", "凯盛", "长风", "锦程", "润泽", "中研", "知行", "睿思", "合力", "久安", "东升", "慧通"]
# status of each demo firm (the broker's firm is added first, approved)
PLAN = (["approved"] * 22 + ["suspended"] * 3 + ["revoked"] * 2 + ["submitted"] * 3 + ["under_review"] * 3
        + ["returned"] * 2 + ["rejected"] * 2 + ["draft"] * 2)
DEGREES = ["博士", "硕士", "硕士", "学士", "学士"]
LEVELS = ["senior", "intermediate", "intermediate", "junior"]
SCOPES = ["技术转移、技术经纪、科技成果评价", "技术经纪、知识产权运营、技术咨询", "科技成果转化服务、技术交易撮合",
          "技术经理人培训、技术转移服务、专利运营", "产学研合作对接、技术评估、投融资对接"]


def _id_number(rng, city_code: str) -> str:
    """A valid ID number (check digit, a district that existed in the birth year)."""
    while True:
        born = date(1984, 1, 1) + timedelta(days=rng.randint(0, 365 * 16))
        body = f"{city_code}{rng.choice(['02', '03', '04', '05', '06', '11', '81'])}{born:%Y%m%d}{rng.randint(0, 999):03d}0"
        number = body[:-1] + ric.calc_check_digit(body)
        if id_number_error(number) is None:
            return number


def seed_filings(rng, users) -> int:
    """Create the demo firms; return how many (none when firms exist already: a second seed adds nothing)."""
    if db.session.scalar(sa.select(sa.func.count(Firm.id))):
        return 0
    from ..demo.orgs import CITY_CODES
    now = utcnow()
    this_year = to_local(now).year
    pw_hash = next((u.password_hash for u in users), None) or db.session.scalar(sa.select(User.password_hash))
    broker = db.session.scalar(sa.select(User).where(User.email == "broker@demo.cn"))
    serials: dict[int, int] = {}
    used_orgs = set(db.session.scalars(sa.select(Organisation.name)))
    firms = []
    overdue_done = False
    for i, status in enumerate(["approved"] + PLAN):
        city = CITY_LIST[i % len(CITY_LIST)]
        org = None
        if i == 0 and broker is not None and broker.organisation is not None:
            org = broker.organisation
            city = org.city
            applicant = db.session.scalar(sa.select(User).where(User.organisation_id == org.id,
                                                                User.org_admin.is_(True))) or broker
            name = org.name
        else:
            name = f"{city}{WORDS[i % len(WORDS)]}技术经理人事务所有限公司"
            if name in used_orgs:
                name = f"江苏{WORDS[i % len(WORDS)]}{city}技术经理人事务所"
            sur, py = person(rng)
            # the first firm sent back for correction is the demo account applicant@demo.cn's
            email = f"{py}.firm{i}@firms.demo.cn"
            if status == "returned" and not db.session.scalar(sa.select(User.id).where(
                    User.email == "applicant@demo.cn")):
                email = "applicant@demo.cn"
            applicant = User(email=email, name=sur, password_hash=pw_hash)
            db.session.add(applicant)
            db.session.flush()
        uscc = (org.credit_code if org is not None and org.credit_code else credit_code(rng, city))
        numbered = status in ("approved", "suspended", "revoked")
        # approvals spread over the last four years; the broker's firm and the overdue one before this year
        year = this_year - (1 + i % 3) if numbered and (i == 0 or i % 4 != 1) else this_year
        approved_at = local_to_utc_naive(datetime(year, 1 + i % 10, 3 + i % 20, 10, 0)) if numbered else None
        if approved_at and approved_at > now:
            approved_at = now - timedelta(days=1 + i)
            year = to_local(approved_at).year
        submitted_at = (approved_at - timedelta(days=20)) if approved_at else (
            now - timedelta(days=2 + 3 * i) if status != "draft" else None)
        if numbered and org is None:
            org = Organisation(name=name, kind="service_firm", city=city, credit_code=uscc,
                               in_province=True)
            db.session.add(org)
            db.session.flush()
            applicant.organisation_id, applicant.org_admin = org.id, True
        used_orgs.add(name)
        firm = Firm(status=status, applicant_id=applicant.id, org_id=getattr(org, "id", None), name=name, uscc=uscc,
                    legal_rep=applicant.name, city=city,
                    address=f"江苏省{city}市{rng.choice(['科技大道', '创新路', '软件大道', '学府路'])}{rng.randint(1, 300)}号",
                    founded_on=date(this_year - rng.randint(2, 12), rng.randint(1, 12), rng.randint(1, 28)),
                    business_scope=rng.choice(SCOPES), premises_m2=rng.choice([60, 80, 120, 150, 200, 300]),
                    submitted_at=submitted_at, approved_at=approved_at,
                    created_at=(submitted_at or now) - timedelta(days=3))
        if numbered:
            serials[year] = serials.get(year, _last_serial(year)) + 1
            firm.number_year, firm.number_seq = year, serials[year]
            firm.number = format_number(year, serials[year])
            firm.decided_at = approved_at
        if status == "rejected":
            firm.reject_reason, firm.decided_at = "技术经理人证书与本人信息不符", now - timedelta(days=i)
        if status == "suspended":
            firm.suspend_reason = "未按期提交年度报告"
        if status == "revoked":
            firm.decided_at = now - timedelta(days=i)
        active = status == "approved"
        count = 3 + (i % 3 == 0) + (i % 7 == 0)
        code = CITY_CODES[city][0]
        for k in range(count):
            if i == 0 and k == 0 and broker is not None:
                mname, email, user_id = broker.name.split("（")[0], broker.email, broker.id
            else:
                mname, py = person(rng)
                email, user_id = f"{py}.{i}.{k}@managers.demo.cn", None
            firm.managers.append(FirmManager(
                position=k, name=mname, email=email, id_number=_id_number(rng, code),
                certificate_no=f"JSJL{year if numbered else this_year}{i:03d}{k:02d}",
                level=LEVELS[(i + k) % len(LEVELS)], degree=rng.choice(DEGREES), user_id=user_id, active=active))
        db.session.add(firm)
        db.session.flush()
        if status == "returned":
            firm.review_round = 1
            db.session.add(FirmComment(firm_id=firm.id, round=1, section="managers",
                                       body="请补充第二名技术经理人的证书扫描件"))
        audit.record("filing", firm.id, "create", actor=None, to_state="draft")
        if status != "draft":
            audit.record("filing", firm.id, "submit", actor=None, from_state="draft", to_state="submitted")
        if status not in ("draft", "submitted"):
            audit.record("filing", firm.id, "start-review", actor=None, from_state="submitted", to_state="under_review")
        if status not in ("draft", "submitted", "under_review"):
            audit.record("filing", firm.id, status, actor=None, from_state="under_review", to_state=status)
        # Annual reports: every firm filed before this year reported on last year, except one.
        if numbered and year < this_year:
            if status == "approved" and i != 0 and not overdue_done:
                overdue_done = True  # this firm's report on last year is overdue (see `flask filings sweep`)
            else:
                db.session.add(AnnualReport(
                    firm_id=firm.id, year=this_year - 1, status="submitted", deals_brokered=0,
                    off_deals=rng.randint(1, 12), off_contract_amount=rng.randint(10, 500) * 1_000_000,
                    off_tech_amount=rng.randint(5, 300) * 1_000_000, off_enterprises=rng.randint(1, 20),
                    notes="线下撮合的技术交易", submitted_at=local_to_utc_naive(datetime(this_year, 3, 15, 10))))
        firms.append(firm)
    for year, last in serials.items():
        counter = db.session.get(FilingCounter, year)
        if counter is None:
            db.session.add(FilingCounter(year=year, last=last))
        else:
            counter.last = last
    db.session.flush()
    return len(firms)


def _last_serial(year: int) -> int:
    return db.session.scalar(sa.select(FilingCounter.last).where(FilingCounter.year == year)) or 0
