"""Field types every API schema (pydantic v2) is built from, so a limit is written once.

A domain's `schemas.py` declares its request and answer bodies with these; `api.spec.endpoint`
turns the declaration into parsing, per-field 422 messages, serialisation and OpenAPI.

    class DealOffer(Schema):
        amount: Fen
        message: Text2000 = ""
"""
import functools
from datetime import date, datetime
from typing import Annotated, Union

from flask_babel import gettext as _
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    RootModel,
    TypeAdapter,
    ValidationError,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from . import identifiers
from .db import MAX_ID  # noqa: F401  (re-exported: the one bound of an id)
from .errors import Invalid
from .timeutil import isoformat, to_utc_naive

MAX_FEN = 10**15  # ¥10 trillion: far above any real amount, far below 64-bit overflow


def _clean_text(value: str) -> str:
    # A lone surrogate cannot be stored or encoded; NUL is refused by PostgreSQL. Both are input errors.
    if "\x00" in value:
        raise ValueError("text_nul")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text_surrogate") from None
    return value.strip()


def _at_least(min_length: int):
    def check(value: str) -> str:
        if len(value) < min_length:  # counted after trimming: "   " is not a title
            raise PydanticCustomError("string_too_short", "too short", {"min_length": min_length})
        return value
    return AfterValidator(check)


def text(max_length: int, min_length: int = 0):
    """Trimmed text of at most `max_length` characters (strict: numbers are not text)."""
    checks = [AfterValidator(_clean_text)] + ([_at_least(min_length)] if min_length else [])
    return Annotated[str, Field(strict=True, max_length=max_length, min_length=min_length), *checks]


Title = text(200, 1)
Text200 = text(200)
Text2000 = text(2000)
LongText = text(20000)


def _none_as_blank(value):
    return "" if value is None else value


def note(max_length: int):
    """Optional trimmed text (a reason, a note): None and a blank box are both "", anything but text refused."""
    return Annotated[text(max_length), BeforeValidator(_none_as_blank)]


def token(max_length: int, min_length: int = 0):
    """A secret as a link, a cookie or a header carries it (secrets.token_urlsafe, itsdangerous): URL-safe
    ASCII of a bounded length. Anything else cannot be one of ours."""
    return Annotated[str, Field(strict=True, min_length=min_length, max_length=max_length,
                                pattern=r"^[A-Za-z0-9_.-]*$")]

# Money: a whole number of fen; floats, strings and booleans are refused, not rounded.
Fen = Annotated[int, Field(strict=True, ge=0, le=MAX_FEN, description="CNY fen (1/100 yuan)")]
PositiveFen = Annotated[int, Field(strict=True, ge=1, le=MAX_FEN, description="CNY fen (1/100 yuan)")]
Id = Annotated[int, Field(strict=True, ge=1, le=MAX_ID)]


def whole(lo: int, hi: int):
    """A whole number from `lo` to `hi` ("应为 lo–hi 之间的整数"); strings, floats and booleans refused."""
    def check(value: int) -> int:
        if not lo <= value <= hi:
            raise PydanticCustomError("int_range", "out of range", {"lo": lo, "hi": hi})
        return value
    return Annotated[int, Field(strict=True, json_schema_extra={"minimum": lo, "maximum": hi}), AfterValidator(check)]


Year = whole(2000, 2100)


def _identifier(kind: str, normalise):
    def check(value: str) -> str:
        code = normalise(value)
        if code is None:
            raise PydanticCustomError(kind, "invalid {kind}", {"kind": kind})
        return code
    return AfterValidator(check)


# Chinese identifiers (core.identifiers): pasted forms (full-width, spaces, dashes, lower case) are
# accepted and stored in their one canonical form.
Uscc = Annotated[str, Field(strict=True, max_length=40, description="统一社会信用代码 (GB 32100-2015, 18 characters)"),
                 _identifier("uscc", identifiers.normalise_uscc)]
Ric = Annotated[str, Field(strict=True, max_length=40, description="居民身份证号码 (GB 11643, 18 characters)"),
                _identifier("ric", identifiers.normalise_ric)]
CityCode = Annotated[str, Field(strict=True, min_length=4, max_length=4,
                                description="GB/T 2260 prefecture code, 4 digits, e.g. 3201 (南京)"),
                     _identifier("city_code", lambda v: v if identifiers.city_code_name(v) else None)]
Count = Annotated[int, Field(strict=True, ge=0, le=MAX_ID)]


def _aware_to_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("datetime_naive")
    return to_utc_naive(value)


# In: an ISO 8601 time with offset, stored as naive UTC. Out: ISO 8601 in Asia/Shanghai.
AwareTime = Annotated[datetime, AfterValidator(_aware_to_utc),
                      WithJsonSchema({"type": "string", "format": "date-time"})]
LocalTime = Annotated[datetime, PlainSerializer(lambda v: isoformat(v), return_type=str),
                      WithJsonSchema({"type": "string", "format": "date-time"})]
Day = date
# A moment inside the app (naive UTC, as forms and API schemas hand it to services) and a local calendar
# day: the objects themselves; a string, a number or (for a day) a datetime is refused, not parsed.
Moment = Annotated[datetime, Field(strict=True)]
LocalDay = Annotated[date, Field(strict=True)]


class Schema(BaseModel):
    """Base of request bodies. Unknown fields are ignored (clients may send what a later version reads);
    every declared field is strict about its type and limits."""

    model_config = ConfigDict(extra="ignore", str_max_length=20000, populate_by_name=True)


class Answer(BaseModel):
    """Base of answers: read from ORM objects (`Answer.model_validate(obj)`)."""

    model_config = ConfigDict(from_attributes=True)


# RootModel name -> its discriminator field: a validation error's path inside such a union starts with the
# member's tag ("instrument"), which is not a field of the body; api.spec drops it (see tagged_union).
TAGGED_UNIONS: dict[str, str] = {}


def tagged_union(name: str, models, discriminator: str, doc: str = ""):
    """A body that is one of `models`, chosen by the value of `discriminator` (OpenAPI oneOf + mapping)."""
    members = tuple(models)
    root = Annotated[Union[members], Field(discriminator=discriminator)]  # noqa: UP007 (a runtime tuple)
    TAGGED_UNIONS[name] = discriminator
    return type(name, (RootModel[root],), {"__doc__": doc, "__module__": members[0].__module__})


class Page(Answer):
    total: int
    page: int
    per_page: int


__all__ = ["Answer", "AwareTime", "Count", "Day", "Fen", "Id", "LocalDay", "LocalTime", "LongText", "MAX_FEN", "MAX_ID",
           "Moment", "Page", "PositiveFen", "Schema", "TAGGED_UNIONS", "tagged_union", "Text200", "Text2000",
           "Title", "conform", "note", "text", "token", "validated"]


@functools.lru_cache(maxsize=64)
def _adapter(kind) -> TypeAdapter:
    return TypeAdapter(kind)


def conform(kind, value, default=None):
    """`value` checked (and normalised) as `kind`, or `default` when it is not one. For values where a
    wrong one is not an error to report: a stranger's cookie is "not signed in", an unknown address at
    login gets the answer of a wrong password."""
    try:
        return _adapter(kind).validate_python(value)
    except ValidationError:
        return default


# -- a payload's errors, per field, in the reader's language -----------------------------------------

def _messages() -> dict:
    """pydantic error types -> messages in the interface language (evaluated per request)."""
    return {
        "missing": _("必填"),
        "extra_forbidden": _("未知的字段"),
        "int_type": _("必须是整数"), "int_parsing": _("必须是整数"), "int_from_float": _("必须是整数"),
        "bool_type": _("必须是 true 或 false"), "bool_parsing": _("必须是 true 或 false"),
        "string_type": _("必须是文字"), "list_type": _("必须是数组"), "dict_type": _("必须是对象"),
        "model_type": _("必须是对象"), "model_attributes_type": _("必须是对象"),
        "datetime_type": _("时间格式应为带时区的 ISO 8601"), "datetime_parsing": _("时间格式应为带时区的 ISO 8601"),
        "datetime_from_date_parsing": _("时间格式应为带时区的 ISO 8601"),
        "date_type": _("日期格式应为 YYYY-MM-DD"), "date_parsing": _("日期格式应为 YYYY-MM-DD"),
        "date_from_datetime_parsing": _("日期格式应为 YYYY-MM-DD"),
        "literal_error": _("不是可选的值"), "enum": _("不是可选的值"),
        "url_parsing": _("网址格式不正确"), "value_error": _("取值无效"),
    }


def _message(err: dict) -> str:
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind.endswith("_type") and "input" in err and err["input"] is None:
        return _("必填")  # null (a form's empty box) for a value that must be given
    if kind in ("string_too_long", "too_long"):
        return _("最多 %(n)s 个字符", n=ctx.get("max_length"))
    if kind in ("string_too_short", "too_short"):
        return _("至少 %(n)s 个字符", n=ctx.get("min_length"))
    if kind == "uscc":
        return _("统一社会信用代码无效（18 位，校验位按 GB 32100-2015）")
    if kind == "ric":
        return _("身份证号码无效（18 位，校验位不符）")
    if kind == "city_code":
        return _("应为 4 位 GB/T 2260 地市代码，如 3201（南京）")
    if kind == "int_range":
        return _("应为 %(lo)s–%(hi)s 之间的整数", lo=ctx["lo"], hi=ctx["hi"])
    if kind in ("greater_than_equal", "greater_than"):
        return _("不能小于 %(n)s", n=ctx.get("ge", ctx.get("gt")))
    if kind in ("less_than_equal", "less_than"):
        return _("不能大于 %(n)s", n=ctx.get("le", ctx.get("lt")))
    if kind == "literal_error" and ctx.get("expected"):
        return _("不是可选的值（可选：%(values)s）", values=ctx["expected"])
    if kind == "value_error":
        # Our own validators raise ValueError("code"); known codes have a translated message.
        code = str(ctx.get("error", ""))
        known = {"text_nul": _("不能包含 NUL 字符"), "text_surrogate": _("包含无效的 Unicode 字符"),
                 "datetime_naive": _("时间必须带时区偏移，如 +08:00")}
        return known.get(code, code or _("取值无效"))
    return _messages().get(kind, err.get("msg", _("取值无效")))


def invalid_from(error) -> Invalid:
    """A pydantic ValidationError as our Invalid: {field path: [message]} in the request's language."""
    fields: dict[str, list[str]] = {}
    tag_field = TAGGED_UNIONS.get(error.title)
    for err in error.errors(include_url=False):
        path = list(err["loc"])
        if tag_field:  # a tagged union (core.schema.tagged_union): the member's tag is not a field
            path = [tag_field] if err["type"].startswith("union_tag") else path[1:]
        # Errors are keyed by field: "platforms", not "platforms.0" (the message says what is wrong);
        # an index inside the path stays, so "managers.0.level" names the manager.
        while path and isinstance(path[-1], int):
            path.pop()
        loc = ".".join(str(p) for p in path) or "body"
        fields.setdefault(loc, []).append(_message(err))
    return Invalid(_("输入有误，请检查标出的字段"), fields)


def validated(fn):
    """Check `fn`'s annotated parameters on every call, as an API body is checked: a wrong value (a
    string for a count, 6 stars, a bool for an amount) is an Invalid naming the parameter, whoever
    calls (a form, the API, a job, the command line). Parameters without an annotation (the entity,
    the actor) pass as they are. Annotate with this module's types (Fen, Id, text(…), Annotated[int,
    Field(strict=True, …)]): one declaration, no isinstance checks in the service."""
    import inspect

    from pydantic import validate_call

    signature = inspect.signature(fn)
    checked = validate_call(fn, config=ConfigDict(arbitrary_types_allowed=True))

    @functools.wraps(fn)
    def call(*args, **kwargs):
        # By name, so that an error names the parameter ("score"), not its position.
        positional, named = [], {}
        for name, value in signature.bind(*args, **kwargs).arguments.items():
            kind = signature.parameters[name].kind
            if kind is inspect.Parameter.VAR_KEYWORD:
                named.update(value)
            elif kind is inspect.Parameter.VAR_POSITIONAL:
                positional.extend(value)
            elif kind is inspect.Parameter.POSITIONAL_ONLY:
                positional.append(value)
            else:
                named[name] = value
        try:
            return checked(*positional, **named)
        except ValidationError as err:
            raise invalid_from(err) from None
    return call
