"""The public side: the directory of filed firms (searched through the Whoosh index), a firm's page,
and the verify page of a filing number. Nothing here ever reads ID numbers."""
import sqlalchemy as sa
from flask_babel import gettext as _

from ...core.errors import Invalid, NotFound
from ...core.reference import CITIES
from ...extensions import db
from .. import rules
from ..figures import figures_for
from ..models import Firm, FirmManager
from ..states import LEVELS, LISTED

PUBLIC = (*LISTED, "revoked")  # numbered firms: a page and a verify answer
MAX_SEARCH_HITS = 10_000


def firm_ids_matching(q: str) -> list[int]:
    """Ids of indexed firms matching `q`, best first."""
    from ...search import query as Q
    from ...search.services import _with_index

    parsed = Q.parse(q)
    outcome = _with_index(lambda ds: Q.run(ds, parsed, {"type": "firm"}, limit=MAX_SEARCH_HITS, facets=False))
    return [hit.fields["id"] for hit in outcome.hits]


def directory(*, q: str = "", city: str | None = None, level: str | None = None):
    """A select of listed firms (approved and suspended) with filters; q through the search index."""
    if city and city not in CITIES:
        raise Invalid.field("city", _("请选择江苏省的城市"))
    if level and level not in LEVELS:
        raise Invalid.field("level", _("不是可选的值"))
    stmt = sa.select(Firm).where(Firm.status.in_(LISTED))
    if city:
        stmt = stmt.where(Firm.city == city)
    if level:
        stmt = stmt.where(Firm.id.in_(sa.select(FirmManager.firm_id).where(FirmManager.level == level)))
    if q and q.strip():
        ids = firm_ids_matching(q.strip())
        if not ids:
            return stmt.where(sa.false())
        order = sa.case({fid: i for i, fid in enumerate(ids)}, value=Firm.id)
        return stmt.where(Firm.id.in_(ids)).order_by(order)
    return stmt.order_by(Firm.status, Firm.number_year.desc(), Firm.number_seq.desc())


def public_firm(firm_id: int) -> Firm:
    firm = db.session.get(Firm, firm_id) if 1 <= firm_id <= 2**31 - 1 else None
    if firm is None or firm.status not in PUBLIC:
        raise NotFound(_("事务所不存在或未备案"))
    return firm


def verify(number: str) -> Firm:
    """The firm holding filing number `number` (valid, suspended or revoked); NotFound otherwise."""
    number = rules.parse_number(number or "")
    if number is None:
        raise NotFound(_("备案编号不存在"))
    firm = db.session.scalar(sa.select(Firm).where(Firm.number == number))
    if firm is None or firm.status not in PUBLIC:
        raise NotFound(_("备案编号不存在"))
    return firm


def verify_state(firm: Firm) -> str:
    return {"approved": "valid", "suspended": "suspended", "revoked": "revoked"}[firm.status]


def public_figures(firm: Firm) -> dict:
    """Deals brokered and contract amounts over all years, from the registered figure providers."""
    return figures_for(firm)
