"""Audit trails as people read them: what was done and the state it led to, in the interface language,
amounts in yuan (the audit log keeps codes and fen; this turns them into words at the edge).

A domain registers its state labels and, where its audit comments carry machine values, a function
that words them:

    from ..core import history
    history.add_states("deal", DEAL_STATUSES)
    history.add_comment("deal", lambda entry: ...)   # "buyer 300000000" -> "买方报价 ¥3,000,000.00"

Templates show a trail with `{{ history_list(entries) }}` (templates/_forms.html), which calls
`history_line(entry)` for each.
"""
from collections.abc import Callable
from dataclasses import dataclass

from .i18n import N_, tr
from .timeutil import to_local

# Actions shared by several entities; a state reached by its own name ("requested") needs no verb.
ACTIONS = {
    "create": N_("创建"), "created": N_("创建"), "update": N_("修改"), "edited": N_("修改"), "submit": N_("提交"),
    "approve": N_("批准"), "reject": N_("驳回"), "return": N_("退回补正"), "cancel": N_("取消"),
    "offer": N_("报价"), "accept": N_("接受报价"), "object": N_("提出异议"), "resolve-objection": N_("处理异议"),
    "sign": N_("签订合同"), "pay": N_("付款"), "complete": N_("完成"), "start-review": N_("开始审核"),
    "suspend": N_("暂停"), "reinstate": N_("恢复"), "revoke": N_("撤销"), "publish": N_("发布"),
    "offline": N_("下线"), "withdraw": N_("撤回"), "amend": N_("变更"), "claim": N_("申报"),
    "verify": N_("认定通过"), "refuse": N_("不予登记"), "evaluate": N_("评价"), "correct": N_("更正"),
    "check-in": N_("签到"), "check-out": N_("结束使用"), "no-show": N_("爽约"), "settle": N_("结算"),
    "revision_submitted": N_("提交修改"), "revision_approved": N_("修改通过"), "revision_rejected": N_("修改被退回"),
    "photos_added": N_("添加图片"), "photo_removed": N_("删除图片"), "archive": N_("归档"),
}

_STATES: dict[str, dict] = {}
_COMMENTS: dict[str, Callable] = {}


def add_states(entity: str, labels: dict):
    """The labels of `entity`'s states (N_ strings or lazy strings)."""
    _STATES[entity] = labels


def add_comment(entity: str, word: Callable):
    """`word(entry)` -> the comment as a sentence (None: show the stored comment as it is)."""
    _COMMENTS[entity] = word


def _label(value) -> str:
    return tr(value) if isinstance(value, str) else str(value)


@dataclass(frozen=True)
class Line:
    at: str
    action: str        # what was done ("" when the state says it)
    state: str         # the state it led to ("" when none)
    comment: str


def state_label(entity: str, state: str | None) -> str:
    if not state:
        return ""
    labels = _STATES.get(entity, {})
    return _label(labels[state]) if state in labels else state


def action_label(entity: str, action: str) -> str:
    if action in ACTIONS:
        return _label(ACTIONS[action])
    labels = _STATES.get(entity, {})
    return _label(labels[action]) if action in labels else action


def line(entry) -> Line:
    """One audit entry in words."""
    at = to_local(entry.created_at).strftime("%Y-%m-%d %H:%M") if entry.created_at else ""
    same = entry.action == entry.to_state  # "requested → 待审批" says it twice: the state is enough
    action = "" if same else action_label(entry.entity, entry.action)
    comment = None
    if entry.comment and entry.entity in _COMMENTS:
        try:
            comment = _COMMENTS[entry.entity](entry)
        except (ValueError, IndexError, KeyError):  # an older comment in another shape: shown as stored
            comment = None
    return Line(at, action, state_label(entry.entity, entry.to_state), comment or entry.comment or "")
