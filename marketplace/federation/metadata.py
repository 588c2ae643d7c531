"""The XML of a catalogue record: its OAI-PMH header and its metadata as `oai_dc` or `jsst_core`.

`jsst_core` is the hub's core-metadata format after GB/T 30523 (科技平台 资源核心元数据): one element per
core field (data/jsst_core.xsd declares it, served at /oai/jsst_core.xsd). Text that XML 1.0 cannot
carry (control characters a listing may hold) is dropped, not sent broken.
"""
import re
from datetime import datetime

from flask import url_for
from lxml import etree

from ..catalog.models import Resource
from . import catalogue

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC_NS = "http://purl.org/dc/elements/1.1/"
CORE_NS = "https://jsst.example.cn/ns/jsst_core/1.0/"
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def formats() -> dict[str, tuple[str, str]]:
    """metadataPrefix: (schema URL, namespace)."""
    return {"oai_dc": ("http://www.openarchives.org/OAI/2.0/oai_dc.xsd", OAI_DC_NS),
            "jsst_core": (url_for("federation.core_schema", _external=True), CORE_NS)}


def stamp(dt: datetime) -> str:
    """A datestamp to the second, UTC (`YYYY-MM-DDThh:mm:ssZ`)."""
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def clean(text) -> str:
    return _NOT_XML.sub("", str(text or ""))


def header(resource: Resource) -> etree._Element:
    h = etree.Element(f"{{{OAI_NS}}}header")
    if resource.status != "published":
        h.set("status", "deleted")
    etree.SubElement(h, f"{{{OAI_NS}}}identifier").text = resource.cstr
    etree.SubElement(h, f"{{{OAI_NS}}}datestamp").text = stamp(resource.updated_at)
    for spec in catalogue.set_specs(resource):
        etree.SubElement(h, f"{{{OAI_NS}}}setSpec").text = spec
    return h


def record(resource: Resource, prefix: str) -> etree._Element:
    rec = etree.Element(f"{{{OAI_NS}}}record")
    rec.append(header(resource))
    if resource.status == "published":  # a deleted record has its header only
        md = etree.SubElement(rec, f"{{{OAI_NS}}}metadata")
        md.append(oai_dc(resource) if prefix == "oai_dc" else jsst_core(resource))
    return rec


def oai_dc(resource: Resource) -> etree._Element:
    c = catalogue.core(resource)
    root = etree.Element(f"{{{OAI_DC_NS}}}dc", nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_DC_NS} http://www.openarchives.org/OAI/2.0/oai_dc.xsd")

    def dc(tag, text):
        if text:
            etree.SubElement(root, f"{{{DC_NS}}}{tag}").text = clean(text)

    dc("title", c.name)
    dc("identifier", c.identifier)
    dc("identifier", c.url)
    dc("type", c.type)
    dc("subject", c.subject)
    for k in c.keywords:
        dc("subject", k)
    dc("description", c.description)
    dc("publisher", c.provider)
    dc("coverage", c.location)
    dc("rights", c.sharing_mode)
    dc("date", stamp(c.updated))
    dc("language", "zh")
    return root


def jsst_core(resource: Resource) -> etree._Element:
    c = catalogue.core(resource)
    root = etree.Element(f"{{{CORE_NS}}}resource", nsmap={"jsst": CORE_NS, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{CORE_NS} {formats()['jsst_core'][0]}")

    def el(tag, text, **attrs):
        e = etree.SubElement(root, f"{{{CORE_NS}}}{tag}", **attrs)
        e.text = clean(text)
        return e

    el("name", c.name)
    el("identifier", c.identifier)
    el("type", c.type, code=c.type_key)
    el("subject", c.subject)
    for k in c.keywords:
        el("keyword", k)
    el("description", c.description)
    el("provider", c.provider)
    el("location", c.location, city=c.city)
    el("sharingMode", c.sharing_mode)
    for p in c.platforms:
        el("platform", p)
    el("contact", c.contact)
    el("updated", stamp(c.updated))
    el("url", c.url)
    return root
