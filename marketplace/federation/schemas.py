"""A partner platform's settings, declared once (the staff form, the CLI and the services use it)."""
from typing import Annotated, Literal
from urllib.parse import urlsplit

from flask_babel import gettext as _
from pydantic import AfterValidator, Field

from ..core.schema import Answer, LocalTime, Schema, text
from .models import REGIONS, SCHEDULES


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(_("请填写以 http:// 或 https:// 开头、不带查询参数的网址"))
    return value


BaseURL = Annotated[text(500, 8), AfterValidator(_http_url)]
Prefix = Annotated[str, Field(strict=True, pattern=r"^[A-Za-z0-9\-_.!~*'()]{1,40}$")]


class PartnerIn(Schema):
    name: text(100, 1)
    region: Literal[tuple(REGIONS)]
    base_url: BaseURL = Field(description="the partner's OAI-PMH base URL (http or https, no query)")
    metadata_prefix: Prefix = "jsst_core"
    schedule: Literal[tuple(SCHEDULES)] = "daily"
    enabled: bool = True


class PartnerPatch(Schema):
    """Only the fields sent change."""
    name: text(100, 1) | None = None
    region: Literal[tuple(REGIONS)] | None = None
    base_url: BaseURL | None = None
    metadata_prefix: Prefix | None = None
    schedule: Literal[tuple(SCHEDULES)] | None = None
    enabled: bool | None = None


class PartnerOut(Answer):
    id: int
    name: str
    region: str
    base_url: str
    metadata_prefix: str
    schedule: str
    enabled: bool
    harvested_from: LocalTime | None = Field(description="the next harvest asks for records from here")
    last_harvest_at: LocalTime | None
    records: int = Field(0, description="the partner's records we hold (not deleted)")


class PartnerList(Answer):
    items: list[PartnerOut]


class Problem(Answer):
    identifier: str
    reason: str


class HarvestOut(Answer):
    id: int
    partner_id: int
    status: Literal["running", "ok", "failed"]
    started_at: LocalTime
    finished_at: LocalTime | None
    pages: int
    added: int
    updated: int
    deleted: int
    skipped: int
    problems: list[Problem]
    error: str | None


class HarvestList(Answer):
    items: list[HarvestOut]


class HarvestQueued(Answer):
    partner_id: int
    queued: bool = True
