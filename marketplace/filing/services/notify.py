"""Who hears about a filing's steps: the applicant side on each transition, reviewers on submission."""
from flask import url_for

from ...accounts.models import User, UserRole
from ...core.i18n import Message as _l
from ...extensions import db
from ...notifications.services import notify


def firm_people(firm) -> list:
    people = {}
    if firm.applicant is not None:
        people[firm.applicant.id] = firm.applicant
    if firm.org_id:
        for user in db.session.scalars(db.select(User).where(User.organisation_id == firm.org_id,
                                                             User.org_admin.is_(True))):
            people[user.id] = user
    return list(people.values())


def reviewers() -> list:
    return list(db.session.scalars(db.select(User).join(UserRole).where(
        UserRole.role.in_(("reviewer", "admin")), User.active.is_(True)).distinct()))


def _link(firm) -> str:
    try:
        return url_for("filing.detail", firm_id=firm.id)
    except Exception:  # outside a request (CLI): a relative link
        return f"/filings/{firm.id}"


MESSAGES = {
    "submitted": lambda f: _l("备案申请“%(name)s”已提交，等待审核", name=f.name),
    "under_review": lambda f: _l("备案申请“%(name)s”已开始审核", name=f.name),
    "returned": lambda f: _l("备案申请“%(name)s”被退回补正，请按意见修改后重新提交", name=f.name),
    "approved": lambda f: _l("“%(name)s”已备案，备案编号 %(number)s", name=f.name, number=f.number),
    "rejected": lambda f: _l("备案申请“%(name)s”未通过", name=f.name),
    "suspended": lambda f: _l("“%(name)s”的备案已暂停", name=f.name),
    "revoked": lambda f: _l("“%(name)s”的备案已撤销", name=f.name),
    "reinstated": lambda f: _l("“%(name)s”的备案已恢复", name=f.name),
}


def transition(firm, event: str, comment: str | None = None) -> None:
    """Tell the firm side (and reviewers, on submission) about `event`, each in their own language."""
    subject = MESSAGES[event](firm)
    body = comment or ""
    people = firm_people(firm)
    if event == "submitted":
        people = people + [r for r in reviewers() if r not in people]
    for user in people:
        notify(user, subject, body, _link(firm))
