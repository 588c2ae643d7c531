"""Chinese identifiers, checked in one place with python-stdnum: the unified social credit code
(统一社会信用代码, GB 32100-2015), the resident identity number (居民身份证号码, GB 11643-1999) and
prefecture codes (GB/T 2260). core.schema's Uscc, Ric and CityCode types are built on these.
"""
import functools
import re
import unicodedata

from stdnum import numdb
from stdnum.cn import ric as _ric
from stdnum.cn import uscc as _uscc
from stdnum.exceptions import ValidationError


def _compact(value) -> str:
    # Full-width digits and letters, spaces and dashes are how people paste these numbers.
    text = unicodedata.normalize("NFKC", value if type(value) is str else "")
    return "".join(c for c in text if not c.isspace() and c != "-").upper()


def normalise_uscc(value) -> str | None:
    """The 18-character unified social credit code (valid check character), or None."""
    code = _compact(value)
    if not code.isascii():
        return None
    try:
        return _uscc.validate(code)
    except ValidationError:
        return None


def normalise_ric(value) -> str | None:
    """The 18-character resident identity number (valid birth date, place and check digit), or None."""
    number = _compact(value)
    if not number.isascii():
        return None
    try:
        return _ric.validate(number)
    except (ValidationError, KeyError, ValueError):  # stdnum raises KeyError for some unknown place codes
        return None


@functools.lru_cache(maxsize=4096)
def city_code_name(code) -> str | None:
    """The name of a 4-digit GB/T 2260 prefecture code still in use (python-stdnum's table), else None."""
    if type(code) is not str or not re.fullmatch(r"\d{4}", code, re.ASCII) or code.endswith("00"):
        return None
    entry = [info for part, info in numdb.get("cn/loc").info(code + "00") if part == code[2:] + "00"]
    if not entry or "county" not in entry[0]:
        return None
    name = entry[0]["county"]
    period = re.match(r"\[(\d{4})?-(\d{4})?\]", name)
    if period and period.group(2):  # abolished
        return None
    return re.sub(r"^\[[^\]]*\]", "", name)
