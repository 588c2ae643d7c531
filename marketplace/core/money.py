"""Money is an int of fen (分). Formatting and parsing happen only at the edge."""
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from flask_babel import gettext as _

from .errors import Invalid

MAX_FEN = 10**15  # ¥10 trillion: far above any real figure, well inside BIGINT


def format_fen(fen: int | None, symbol: str = "¥") -> str:
    """Format 123450 as '¥1,234.50'."""
    if fen is None:
        return "—"
    sign = "-" if fen < 0 else ""
    yuan, rest = divmod(abs(int(fen)), 100)
    return f"{sign}{symbol}{yuan:,}.{rest:02d}"


def parse_yuan(text, field: str = "amount", allow_negative: bool = False) -> int:
    """Parse a yuan amount typed by a person ('1,234.5') into fen; raise Invalid otherwise."""
    if isinstance(text, bool):
        raise Invalid.field(field, _("金额格式不正确"))
    try:
        value = Decimal(str(text).replace(",", "").replace("¥", "").strip())
    except (InvalidOperation, ValueError):
        raise Invalid.field(field, _("金额格式不正确")) from None
    if not value.is_finite():
        raise Invalid.field(field, _("金额格式不正确"))
    if abs(value) > MAX_FEN:  # far too large; also keeps quantize() below inside Decimal's precision
        raise Invalid.field(field, _("金额过大"))
    fen = int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    check_fen(fen, field, allow_negative)
    return fen


def check_fen(fen, field: str = "amount", allow_negative: bool = False) -> int:
    """Validate an integer fen amount coming from the API."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise Invalid.field(field, _("金额必须是整数（分）"))
    if fen < 0 and not allow_negative:
        raise Invalid.field(field, _("金额不能为负"))
    if abs(fen) > MAX_FEN:
        raise Invalid.field(field, _("金额过大"))
    return fen


def percent_of(fen: int, basis_points: int) -> int:
    """Return fen × basis_points / 10000, rounded half up, in integers only."""
    return (fen * basis_points + 5000) // 10000
