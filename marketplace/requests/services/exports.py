"""The staff export of requests (CSV and XLSX); money in fen in its own column, as the ledger keeps it."""
from flask_babel import gettext as _

from ...core.exports import to_csv, to_xlsx  # noqa: F401  (the one writer of every download)
from ...core.timeutil import to_local
from ..kinds import KINDS
from ..states import STATUSES


def _fmt(dt):
    return to_local(dt).strftime("%Y-%m-%d %H:%M") if dt else ""


def rows(reqs) -> list[list]:
    out = [[_("编号"), _("类型"), _("状态"), _("资源"), _("受理单位"), _("申请人"), _("申请单位"), _("金额（分）"),
            _("期限（月）"), _("来源活动"), _("提交时间"), _("办结时间"), _("不予通过理由")]]
    for r in reqs:
        out.append([r.id, str(KINDS[r.kind].label), str(STATUSES[r.status]), r.resource.title, r.handler_org.name,
                    r.requester.name, r.requester_org.name if r.requester_org else "",
                    r.amount if r.amount is not None else "", r.term_months or "",
                    r.event.title if r.event else "", _fmt(r.submitted_at), _fmt(r.closed_at),
                    r.decline_reason or ""])
    return out
