"""科技副总 secondment: the researcher's account and ID number, declared founders and investors, the
three-party agreement, and the count of placements the census reads (校企联盟)."""
import sqlalchemy as sa
from flask_babel import gettext as _

from ...accounts.models import Organisation, User
from ...core.errors import Conflict, Forbidden, Invalid
from ...core.i18n import Message as _l
from ...core.permissions import require_member
from ...core.timeutil import utcnow
from ...extensions import db
from .. import rules
from ..facts import id_hash
from ..models import OrgStake, RequestConfirmation, ServiceRequest
from ..states import SECONDMENT_PARTIES

PLACED = ("in_progress", "completed")  # the three parties confirmed: a placement made


def prepare(resource, details: dict):
    """Resolve the researcher's account and keep the ID number only as birth date, hash and mask."""
    email = details["researcher_email"].strip().lower()
    researcher = db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email))
    if researcher is None or researcher.organisation_id != resource.owner_org_id:
        raise Invalid.field("researcher_email", _("请填写科研人员在派出单位的平台账号邮箱"))
    number = details.pop("id_number").strip().upper()
    born = rules.birth_date(number)
    if born is None:
        raise Invalid.field("id_number", _("身份证号码无效（校验位不符）"))
    details.update(researcher_email=email, birth_date=born.isoformat(), id_hash=id_hash(number),
                   id_masked=number[:4] + "*" * (len(number) - 8) + number[-4:])
    return researcher, details


def party_for(req: ServiceRequest, *, actor) -> str | None:
    """The party of the agreement the actor confirms for, if one of theirs is still open."""
    if req.kind != "secondment" or req.status != "agreement" or actor is None \
            or not getattr(actor, "is_authenticated", False):
        return None
    done = {c.party for c in req.confirmations}
    if actor.id == req.researcher_id:
        mine = "researcher"
    elif actor.is_member_of(req.requester_org_id) or actor.id == req.requester_id:
        mine = "company"
    elif actor.is_member_of(req.handler_org_id):
        mine = "sending_unit"
    else:
        return None
    return None if mine in done else mine


def confirm(req: ServiceRequest, *, actor) -> ServiceRequest:
    """One party confirms the agreement; the third confirmation starts the placement."""
    from .lifecycle import _apply, _notify_handlers, _notify_requester, _step, lock
    lock(req)  # the last two parties confirming at once: the second sees the first's confirmation
    party = party_for(req, actor=actor)
    if party is None:
        raise Forbidden(_("您不是此协议尚未确认的一方"))
    db.session.add(RequestConfirmation(request_id=req.id, party=party, user_id=actor.id, confirmed_at=utcnow()))
    db.session.flush()
    db.session.expire(req, ["confirmations"])
    done = {c.party for c in req.confirmations}
    if done >= set(SECONDMENT_PARTIES):
        _apply(req, "in_progress", actor=actor, action="confirm", note=_("三方协议已全部确认，选派开始"))
        _notify_requester(req, _l("科技副总选派已生效：%(title)s", title=req.title))
    else:
        _step(req, "confirm", actor=actor, note=str(SECONDMENT_PARTIES[party]))
        _notify_handlers(req, _l("三方协议待确认：%(title)s", title=req.title))
    return req


def confirmed_parties(req: ServiceRequest) -> list[str]:
    return [p for p in SECONDMENT_PARTIES if p in {c.party for c in req.confirmations}]


def declare_stake(company: Organisation, *, actor, relation: str, holder_name: str, holder_org_id=None,
                  holder_id_number=None) -> OrgStake:
    """A company declares one of its founders or investors (an organisation or a person)."""
    require_member(actor, company.id)
    if relation not in ("founder", "investor"):
        raise Invalid.field("relation", _("不是可选的值"))
    if not holder_org_id and not holder_id_number:
        raise Invalid.field("holder_name", _("请填写出资单位编号或个人身份证号码"))
    if holder_org_id and db.session.get(Organisation, holder_org_id) is None:
        raise Invalid.field("holder_org_id", _("单位不存在"))
    digest = None
    if holder_id_number:
        if rules.birth_date(holder_id_number) is None:
            raise Invalid.field("holder_id_number", _("身份证号码无效（校验位不符）"))
        digest = id_hash(holder_id_number)
    stake = OrgStake(company_org_id=company.id, relation=relation, holder_name=holder_name.strip(),
                     holder_org_id=holder_org_id or None, holder_id_hash=digest, declared_by_id=actor.id)
    db.session.add(stake)
    db.session.flush()
    return stake


def stakes_of(company_id: int) -> list[OrgStake]:
    return db.session.scalars(sa.select(OrgStake).where(OrgStake.company_org_id == company_id)
                              .order_by(OrgStake.id)).all()


def remove_stake(stake_id: int, *, actor):
    stake = db.session.get(OrgStake, stake_id)
    if stake is None:
        raise Invalid.field("stake", _("记录不存在"))
    require_member(actor, stake.company_org_id)
    if db.session.scalar(sa.select(sa.func.count(ServiceRequest.id)).where(
            ServiceRequest.requester_org_id == stake.company_org_id, ServiceRequest.kind == "secondment",
            ServiceRequest.status.in_(("submitted", "agreement")))):
        raise Conflict(_("有进行中的科技副总申请，暂不能删除出资关系"))
    db.session.delete(stake)
    db.session.flush()


def placements_count(year: int | None = None) -> int:
    """科技副总 placements made (all three parties confirmed), for the census's 校企联盟 progress:
    each placement is one university/institute–company alliance. `year`: the year the request was
    submitted (the agreement's own date is its last confirmation)."""
    q = sa.select(sa.func.count(ServiceRequest.id)).where(ServiceRequest.kind == "secondment",
                                                          ServiceRequest.status.in_(PLACED))
    if year is not None:
        from datetime import datetime
        q = q.where(ServiceRequest.submitted_at >= datetime(year, 1, 1),
                    ServiceRequest.submitted_at < datetime(year + 1, 1, 1))
    return db.session.scalar(q) or 0


def plan_figures(year: int) -> dict[str, int]:
    """The census's plan figures: each placement is one secondment and one 校企联盟 alliance."""
    placed = placements_count(year)
    return {"secondments": placed, "alliances": placed}
