"""Harvesting a partner platform's catalogue over OAI-PMH (the client side).

`fetch(spec)` asks the partner for ListRecords from its last datestamp, follows the resumption
tokens and returns the parsed records and what went wrong, without touching the database (a slow
partner holds no transaction open); `services.apply_harvest` then writes them in one short unit of
work. The partner is not trusted: each answer must arrive within HARVEST_TIMEOUT seconds and
HARVEST_MAX_RESPONSE_BYTES, be well-formed XML (no DTD, no entities, no network), and a list ends
after HARVEST_MAX_PAGES pages or at a token seen before; a record larger than
HARVEST_MAX_RECORD_BYTES, without identifier, datestamp or title is skipped with its reason. Text
keeps no markup and is cut to the columns' sizes; the pages escape it like any other text.

A small client of our own rather than Sickle: Sickle reads answers of any size, recovers broken XML
silently and follows tokens without end, which is what a hostile partner needs from us.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

import requests
from flask import current_app
from lxml import etree

from ..catalog.types import RESOURCE_TYPES
from .metadata import OAI_NS, stamp

_TAGS = re.compile(r"<[^>]{0,500}>")
_SPACE = re.compile(r"[ \t\r\f\v]+")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
TYPE_BY_NAME = {t.name_zh: k for k, t in RESOURCE_TYPES.items()}
LIMITS = {"identifier": 200, "title": 200, "description": 4000, "provider": 200, "location": 100,
          "keywords": 300, "url": 500, "type_label": 60}


class HarvestError(Exception):
    """The partner's answer cannot be used: the harvest stops here (what came before is kept)."""


@dataclass
class PartnerSpec:
    """What a harvest needs to know of a partner (read before the network is touched)."""
    id: int
    base_url: str
    metadata_prefix: str
    harvested_from: datetime | None


@dataclass
class Outcome:
    records: dict[str, dict] = field(default_factory=dict)   # identifier -> values (the last seen wins)
    problems: list[dict] = field(default_factory=list)       # [{identifier, reason}]
    skipped: int = 0
    pages: int = 0
    response_date: datetime | None = None                   # the first answer's (the partner's clock)
    error: str | None = None

    def skip(self, identifier: str, reason: str):
        self.skipped += 1
        if len(self.problems) < 100:
            self.problems.append({"identifier": (identifier or "")[:200], "reason": reason})


def fetch(spec: PartnerSpec) -> Outcome:
    cfg = current_app.config
    out = Outcome()
    params = {"verb": "ListRecords", "metadataPrefix": spec.metadata_prefix}
    if spec.harvested_from is not None:
        params["from"] = stamp(spec.harvested_from)
    seen_tokens: set[str] = set()
    try:
        while True:
            if out.pages >= cfg["HARVEST_MAX_PAGES"]:
                raise HarvestError(f"more than {cfg['HARVEST_MAX_PAGES']} pages: stopped")
            root = _get(spec.base_url, params)
            out.pages += 1
            if out.response_date is None:
                out.response_date = _datestamp(root.findtext(f"{{{OAI_NS}}}responseDate"))
            error = root.find(f"{{{OAI_NS}}}error")
            if error is not None:
                if error.get("code") == "noRecordsMatch":
                    break
                if error.get("code") == "badArgument" and "T" in params.get("from", ""):
                    # A repository of day granularity refuses seconds: ask again from that day.
                    params = {**params, "from": params["from"][:10]}
                    out.response_date = None
                    continue
                raise HarvestError(f"partner error {clean(error.get('code'), 40)}: {clean(error.text, 200)}")
            listing = root.find(f"{{{OAI_NS}}}ListRecords")
            if listing is None:
                raise HarvestError("not an OAI-PMH ListRecords answer")
            for rec in listing.iterfind(f"{{{OAI_NS}}}record"):
                _read_record(rec, out)
            token_el = listing.find(f"{{{OAI_NS}}}resumptionToken")
            token = (token_el.text or "").strip() if token_el is not None else ""
            if not token:
                break
            if token in seen_tokens:
                raise HarvestError("the partner repeated a resumption token (a loop): stopped")
            seen_tokens.add(token)
            params = {"verb": "ListRecords", "resumptionToken": token}
    except HarvestError as e:
        out.error = str(e)[:500]
    return out


def _get(base_url: str, params: dict) -> etree._Element:
    cfg = current_app.config
    timeout, limit = cfg["HARVEST_TIMEOUT"], cfg["HARVEST_MAX_RESPONSE_BYTES"]
    deadline = time.monotonic() + timeout
    try:
        with requests.get(base_url, params=params, timeout=timeout, stream=True,
                          headers={"User-Agent": "jsst-hub-harvester/1.0"}) as resp:
            if resp.status_code != 200:
                raise HarvestError(f"HTTP {resp.status_code}")
            chunks, size = [], 0
            for chunk in resp.iter_content(64 * 1024):
                size += len(chunk)
                if size > limit:
                    raise HarvestError(f"answer larger than {limit} bytes")
                if time.monotonic() > deadline:
                    raise HarvestError(f"answer took longer than {timeout} s")
                chunks.append(chunk)
    except requests.RequestException as e:
        raise HarvestError(f"no answer: {type(e).__name__}") from None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)
    try:
        return etree.fromstring(b"".join(chunks), parser)
    except etree.XMLSyntaxError as e:
        raise HarvestError(f"invalid XML: {clean(str(e), 200)}") from None


def _datestamp(value) -> datetime | None:
    for fmt in ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d"):
        try:
            return datetime.strptime((value or "").strip(), fmt)
        except ValueError:
            continue
    return None


def clean(text, limit: int) -> str:
    """Partner text as plain text: no markup, no control characters, spaces folded, cut to `limit`."""
    text = _CONTROL.sub("", _TAGS.sub(" ", str(text or "")))
    lines = [_SPACE.sub(" ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)[:limit]


def _local(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _read_record(rec, out: Outcome):
    header = rec.find(f"{{{OAI_NS}}}header")
    identifier = (header.findtext(f"{{{OAI_NS}}}identifier") or "").strip() if header is not None else ""
    if not identifier:
        return out.skip("", "no identifier")
    if len(identifier) > LIMITS["identifier"] or _CONTROL.search(identifier):
        return out.skip(identifier[:100], "identifier too long or malformed")
    datestamp = _datestamp(header.findtext(f"{{{OAI_NS}}}datestamp"))
    if datestamp is None:
        return out.skip(identifier, "no valid datestamp")
    if header.get("status") == "deleted":
        out.records[identifier] = {"deleted": True, "datestamp": datestamp}
        return None
    if len(etree.tostring(rec)) > current_app.config["HARVEST_MAX_RECORD_BYTES"]:
        return out.skip(identifier, "record too large")
    metadata = rec.find(f"{{{OAI_NS}}}metadata")
    body = next((el for el in metadata if isinstance(el.tag, str)), None) if metadata is not None else None
    if body is None:
        return out.skip(identifier, "no metadata")
    fields: dict[str, list] = {}
    for el in body:
        name = _local(el)
        if name:
            fields.setdefault(name, []).append(el)
    values = _values(fields)
    if not values["title"]:
        return out.skip(identifier, "no title")
    values.update(deleted=False, datestamp=datestamp)
    out.records[identifier] = values
    return None


def _values(fields: dict[str, list]) -> dict:
    """Our columns from jsst_core's elements or Dublin Core's."""
    def first(*names):
        for n in names:
            for el in fields.get(n, ()):
                text = "".join(el.itertext()).strip()
                if text:
                    return text
        return ""

    def every(*names):
        return [clean("".join(el.itertext()), 60) for n in names for el in fields.get(n, ())]

    type_label = clean(first("type"), LIMITS["type_label"])
    code = next((el.get("code") for el in fields.get("type", ()) if el.get("code") in RESOURCE_TYPES), None)
    url = ""
    for candidate in [first("url"), *("".join(el.itertext()).strip() for el in fields.get("identifier", ()))]:
        parts = urlsplit(candidate) if candidate else None
        if parts and parts.scheme in ("http", "https") and parts.netloc and len(candidate) <= LIMITS["url"]:
            url = candidate
            break
    keywords = [k for k in every("keyword", "subject") if k]
    return {
        "title": clean(first("name", "title"), LIMITS["title"]),
        "description": clean(first("description"), LIMITS["description"]),
        "provider": clean(first("provider", "publisher"), LIMITS["provider"]),
        "location": clean(first("location", "coverage"), LIMITS["location"]),
        "keywords": "，".join(dict.fromkeys(keywords))[:LIMITS["keywords"]],
        "type_label": type_label,
        "type": code or TYPE_BY_NAME.get(type_label),
        "url": url,
    }
