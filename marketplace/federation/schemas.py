"""A partner platform's settings, declared once (the staff form, the CLI and the services use it)."""
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field

from ..core.schema import Schema, text
from .models import REGIONS, SCHEDULES


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError("base_url")
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
