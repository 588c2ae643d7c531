"""OAI-PMH 2.0 (http://www.openarchives.org/OAI/openarchivesprotocol.html) over the open catalogue.

`answer(args, base_url)` takes the request's arguments and returns the XML document: the six verbs,
`oai_dc` and `jsst_core` (metadata.py), sets per type and city, from/until to the second, resumption
tokens and the protocol's errors. A resumption token carries the list's frozen window (its `from` and
the moment the list was first asked for, or its `until`) and the position reached (datestamp, id): a
listing changed during the harvest moves past the window and comes with the next incremental
harvest, so the list neither repeats nor skips what did not change. Tokens are signed (a forged or
mangled one is badResumptionToken) and do not expire.
"""
import re
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from lxml import etree
from sqlalchemy.orm import selectin_polymorphic

from ..catalog.models import MODELS, Resource
from ..core.timeutil import utcnow
from ..extensions import db
from . import catalogue, metadata
from .metadata import OAI_NS, XSI_NS, stamp

VERBS = {  # verb: (required arguments, optional arguments); a resumptionToken is exclusive
    "Identify": (set(), set()),
    "ListMetadataFormats": (set(), {"identifier"}),
    "ListSets": (set(), {"resumptionToken"}),
    "GetRecord": ({"identifier", "metadataPrefix"}, set()),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
}
MAX_ARG = 500  # characters of any argument we look at
# The syntax the schema gives these arguments (echoed in the answer's <request>): anything else is
# a badArgument, not an unknown format or set.
SYNTAX = {"metadataPrefix": re.compile(r"[A-Za-z0-9\-_.!~*'()]+"),
          "set": re.compile(r"[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*"),
          "identifier": re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`\x00-\x1f\x7f]+")}


class OAIError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def answer(args, base_url: str) -> bytes:
    """The OAI-PMH response document for a request's arguments (a werkzeug MultiDict)."""
    now = utcnow()
    root = etree.Element(f"{{{OAI_NS}}}OAI-PMH", nsmap={None: OAI_NS, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_NS} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd")
    etree.SubElement(root, f"{{{OAI_NS}}}responseDate").text = stamp(now)
    request_el = etree.SubElement(root, f"{{{OAI_NS}}}request")
    request_el.text = base_url
    try:
        verb, params = _check(args)
        # The request's attributes only when it was a well-formed request (badVerb/badArgument: none).
        for name in ("verb", *sorted(params)):
            request_el.set(name, verb if name == "verb" else params[name])
        body = globals()["_" + verb](params, now, base_url)
        root.append(body)
    except OAIError as e:
        if e.code in ("badVerb", "badArgument"):
            request_el.attrib.clear()
        err = etree.SubElement(root, f"{{{OAI_NS}}}error", code=e.code)
        err.text = e.message
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _check(args) -> tuple[str, dict]:
    verbs = args.getlist("verb")
    if len(verbs) != 1 or verbs[0] not in VERBS:
        raise OAIError("badVerb", "Illegal OAI verb" if verbs else "No verb given")
    verb = verbs[0]
    required, optional = VERBS[verb]
    params = {}
    for key in args:
        if key == "verb":
            continue
        values = args.getlist(key)
        if key not in required | optional:
            raise OAIError("badArgument", f"Illegal argument for {verb}: {key[:40]}")
        if len(values) != 1:
            raise OAIError("badArgument", f"Repeated argument: {key}")
        if len(values[0]) > MAX_ARG or not values[0]:
            raise OAIError("badArgument", f"Invalid value of {key}")
        if key in SYNTAX and not SYNTAX[key].fullmatch(values[0]):
            raise OAIError("badArgument", f"Invalid value of {key}")
        params[key] = values[0]
    if "resumptionToken" in params:
        if len(params) > 1:
            raise OAIError("badArgument", "resumptionToken is an exclusive argument")
        return verb, params
    missing = required - set(params)
    if missing:
        raise OAIError("badArgument", "Missing argument: " + ", ".join(sorted(missing)))
    return verb, params


# -- verbs ------------------------------------------------------------------------------------------

def _el(tag, text=None, **attrs):
    el = etree.Element(f"{{{OAI_NS}}}{tag}", **attrs)
    if text is not None:
        el.text = text
    return el


def _sub(parent, tag, text=None):
    el = etree.SubElement(parent, f"{{{OAI_NS}}}{tag}")
    if text is not None:
        el.text = text
    return el


def _Identify(params, now, base_url):
    cfg = current_app.config
    body = _el("Identify")
    earliest = db.session.scalar(sa.select(sa.func.min(Resource.updated_at)).where(catalogue.in_catalogue()))
    for tag, text in (("repositoryName", cfg["OAI_REPOSITORY_NAME"]), ("baseURL", base_url),
                      ("protocolVersion", "2.0"), ("adminEmail", cfg["OAI_ADMIN_EMAIL"]),
                      ("earliestDatestamp", stamp(earliest or now)), ("deletedRecord", "persistent"),
                      ("granularity", "YYYY-MM-DDThh:mm:ssZ")):
        _sub(body, tag, text)
    return body


def _ListMetadataFormats(params, now, base_url):
    if "identifier" in params and catalogue.by_identifier(params["identifier"]) is None:
        raise OAIError("idDoesNotExist", "No such identifier")
    body = _el("ListMetadataFormats")
    for prefix, (schema, namespace) in metadata.formats().items():
        fmt = _sub(body, "metadataFormat")
        _sub(fmt, "metadataPrefix", prefix)
        _sub(fmt, "schema", schema)
        _sub(fmt, "metadataNamespace", namespace)
    return body


def _ListSets(params, now, base_url):
    if "resumptionToken" in params:  # every set fits in one answer: no token was ever given out
        raise OAIError("badResumptionToken", "No resumption token was issued for ListSets")
    body = _el("ListSets")
    for spec, name in catalogue.sets():
        s = _sub(body, "set")
        _sub(s, "setSpec", spec)
        _sub(s, "setName", name)
    return body


def _GetRecord(params, now, base_url):
    _format(params["metadataPrefix"])
    resource = catalogue.by_identifier(params["identifier"])
    if resource is None:
        raise OAIError("idDoesNotExist", "No such identifier")
    body = _el("GetRecord")
    body.append(metadata.record(resource, params["metadataPrefix"]))
    return body


def _ListIdentifiers(params, now, base_url):
    return _list("ListIdentifiers", params, now)


def _ListRecords(params, now, base_url):
    return _list("ListRecords", params, now)


# -- lists and their resumption tokens --------------------------------------------------------------

def _format(prefix):
    if prefix not in metadata.formats():
        raise OAIError("cannotDisseminateFormat", f"Unsupported metadataPrefix: {prefix[:40]}")


def _serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="oai-resumption")


def _parse_date(value: str, name: str) -> tuple[datetime, str]:
    for fmt, grain in (("%Y-%m-%dT%H:%M:%SZ", "seconds"), ("%Y-%m-%d", "day")):
        try:
            dt = datetime.strptime(value, fmt)
        except ValueError:
            continue
        if len(value) == (20 if grain == "seconds" else 10):
            return dt, grain
    raise OAIError("badArgument", f"Invalid {name}: use YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ")


def _window(params, now) -> dict:
    """The list's window and filters, from the arguments of its first request."""
    start = end = None
    grains = set()
    if "from" in params:
        start, g = _parse_date(params["from"], "from")
        grains.add(g)
    if "until" in params:
        until, g = _parse_date(params["until"], "until")
        grains.add(g)
        end = until + (timedelta(days=1) if g == "day" else timedelta(seconds=1))
    if len(grains) > 1:
        raise OAIError("badArgument", "from and until must have the same granularity")
    if start is not None and end is not None and start >= end:
        raise OAIError("badArgument", "from is later than until")
    if end is None or end > now:
        end = now  # frozen: what changes from now on belongs to the next harvest
    spec = params.get("set")
    if spec is not None and catalogue.set_filter(spec) is None:
        raise OAIError("noRecordsMatch", "No such set")
    return {"m": params["metadataPrefix"], "s": spec, "f": start.isoformat() if start else None,
            "u": end.isoformat(), "a": None, "i": 0, "c": 0, "n": None}


def _list(verb, params, now):
    if "resumptionToken" in params:
        try:
            state = _serializer().loads(params["resumptionToken"])
            if not isinstance(state, dict) or state.get("v") != verb:
                raise BadSignature("other verb")
            after = datetime.fromisoformat(state["a"]) if state["a"] else None
            start = datetime.fromisoformat(state["f"]) if state["f"] else None
            end = datetime.fromisoformat(state["u"])
            last_id, cursor = int(state["i"]), int(state["c"])
        except (BadSignature, KeyError, TypeError, ValueError):
            raise OAIError("badResumptionToken", "Invalid or expired resumption token") from None
    else:
        _format(params["metadataPrefix"])
        state = _window(params, now)
        state["v"] = verb
        start = datetime.fromisoformat(state["f"]) if state["f"] else None
        end, after, last_id, cursor = datetime.fromisoformat(state["u"]), None, 0, 0
    prefix = state["m"]
    q = catalogue.window(start, end, catalogue.set_filter(state["s"]) if state["s"] else None)
    total = state["n"] if state["n"] is not None else catalogue.count(q)
    page_q = catalogue.ordered(catalogue.after(q, after, last_id) if after else q)
    size = current_app.config["OAI_PAGE_SIZE"]
    if verb == "ListRecords":
        page_q = page_q.options(selectin_polymorphic(Resource, list(MODELS.values())))
    rows = db.session.scalars(page_q.limit(size + 1)).all()
    if not rows and cursor == 0:
        raise OAIError("noRecordsMatch", "No records match the request")
    more, rows = len(rows) > size, rows[:size]
    body = _el(verb)
    for r in rows:
        body.append(metadata.record(r, prefix) if verb == "ListRecords" else metadata.header(r))
    if more or cursor:
        token = _sub(body, "resumptionToken")
        token.set("completeListSize", str(max(total, 1)))
        token.set("cursor", str(cursor))
        if more:
            last = rows[-1]
            token.text = _serializer().dumps({**state, "a": last.updated_at.isoformat(), "i": last.id,
                                              "c": cursor + len(rows), "n": total})
    return body


def parse_datestamp(value: str) -> datetime | None:
    """A partner's datestamp or responseDate as naive UTC (None if malformed)."""
    for fmt in ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d"):
        try:
            return datetime.strptime(value.strip(), fmt)
        except (ValueError, AttributeError):
            continue
    return None

