"""Field types every API schema (pydantic v2) is built from, so a limit is written once.

A domain's `schemas.py` declares its request and answer bodies with these; `api.spec.endpoint`
turns the declaration into parsing, per-field 422 messages, serialisation and OpenAPI.

    class DealOffer(Schema):
        amount: Fen
        message: Text2000 = ""
"""
from datetime import date, datetime
from typing import Annotated, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer, RootModel, WithJsonSchema
from pydantic_core import PydanticCustomError

from .timeutil import isoformat, to_utc_naive

MAX_FEN = 10**15  # ¥10 trillion: far above any real amount, far below 64-bit overflow
MAX_ID = 2**31 - 1  # ids are 32-bit integer keys


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

# Money: a whole number of fen; floats, strings and booleans are refused, not rounded.
Fen = Annotated[int, Field(strict=True, ge=0, le=MAX_FEN, description="CNY fen (1/100 yuan)")]
PositiveFen = Annotated[int, Field(strict=True, ge=1, le=MAX_FEN, description="CNY fen (1/100 yuan)")]
Id = Annotated[int, Field(strict=True, ge=1, le=MAX_ID)]
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


__all__ = ["Answer", "AwareTime", "Count", "Day", "Fen", "Id", "LocalTime", "LongText", "MAX_FEN", "MAX_ID",
           "Page", "PositiveFen", "Schema", "TAGGED_UNIONS", "tagged_union", "Text200", "Text2000", "Title", "text"]
