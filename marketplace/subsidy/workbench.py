"""Finance's queue on the workbench: managing units owed money (service income, settled subsidy)."""
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..core import nav, workbench
from ..core.money import format_fen


def _items(user, limit):
    from .services.payouts import amounts_owed
    return [workbench.Item("payout", row["org_id"], row["name"], None, url_for("subsidy.payouts"),
                           note=_("应付 %(total)s", total=format_fen(row["total"])))
            for row in amounts_owed()[:limit]]


def register():
    from .services.payouts import amounts_owed
    workbench.add_queue("payout", _l("待付款单位"), "subsidy.payouts", who=nav.has_role("finance"), priority=10,
                        count=lambda user: len(amounts_owed()), items=_items)
