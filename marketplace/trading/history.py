"""A deal's and a demand's audit trail in words: the comments the services record with codes and fen
("buyer 300000000", "transfer 30000000/25000000") read as sentences with labels and yuan."""
from flask_babel import gettext as _

from ..core import history
from ..core.i18n import tr
from ..core.money import format_fen
from .states import CANCEL_REASONS, CONTRACT_TYPES, DEAL_STATUSES, DEMAND_STATUSES


def _side(code: str) -> str:
    return {"buyer": _("买方"), "seller": _("卖方")}[code]


def word_deal(entry) -> str | None:
    text = entry.comment.strip()
    if entry.action in ("create", "offer"):
        side, amount = text.split()
        return _("%(side)s报价 %(amount)s", side=_side(side), amount=format_fen(int(amount)))
    if entry.action == "sign":
        ctype, amounts = text.split()
        total, tech = amounts.split("/")
        return _("%(type)s，合同金额 %(total)s，其中技术交易额 %(tech)s", type=tr(CONTRACT_TYPES[ctype]),
                 total=format_fen(int(total)), tech=format_fen(int(tech)))
    if entry.action == "pay":
        seq, amount = text.split()
        return _("第 %(n)s 期 %(amount)s", n=int(seq.lstrip("#")), amount=format_fen(int(amount)))
    if entry.action == "cancel":
        code, _sep, rest = text.partition(" ")
        reason = tr(CANCEL_REASONS[code])
        return f"{reason}：{rest}" if rest else reason
    return None


def register():
    history.add_states("deal", DEAL_STATUSES)
    history.add_states("demand", DEMAND_STATUSES)
    history.add_comment("deal", word_deal)
