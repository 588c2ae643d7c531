"""Money is an int of fen (分). Formatting and parsing happen only at the edge."""
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import format_currency, format_decimal
from flask_babel import gettext as _

from .errors import Invalid

MAX_FEN = 10**15  # ¥10 trillion: far above any real figure, well inside BIGINT


# Amounts read the same in both interface languages, as RMB is written in China: Babel's zh_CN symbol
# and grouping ("¥1,234.50"). The English locale would print "CN¥1,234.50", so the locale is fixed here
# rather than taken from the request; the pattern keeps two decimals for whole yuan too.
MONEY_LOCALE = "zh_CN"


def format_fen(fen: int | None, symbol: bool = True) -> str:
    """Format 123450 as '¥1,234.50' (symbol=False: '1,234.50', for a form's input)."""
    if fen is None:
        return "—"
    yuan = Decimal(int(fen)).scaleb(-2)
    if not symbol:
        return format_decimal(yuan, format="#,##0.00", locale=MONEY_LOCALE)
    return format_currency(yuan, "CNY", format="¤#,##0.00", currency_digits=False, locale=MONEY_LOCALE)


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


def to_fen(value: Decimal | None) -> int:
    """Yuan from a form's DecimalField (already validated) → fen, half up."""
    return int((Decimal(value or 0) * 100).quantize(Decimal(1), ROUND_HALF_UP))


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
