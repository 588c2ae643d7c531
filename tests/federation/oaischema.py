"""Validation of OAI-PMH responses against the official schemas (vendored in schemas/, no network):
OAI-PMH.xsd for the envelope, oai_dc.xsd (with simpledc and xml.xsd) and our jsst_core.xsd for the
metadata, which OAI-PMH.xsd validates strictly."""
from functools import cache
from pathlib import Path

import xmlschema

HERE = Path(__file__).parent / "schemas"
CORE_XSD = Path(__file__).parents[2] / "marketplace" / "federation" / "data" / "jsst_core.xsd"

WRAPPER = f"""<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:import namespace="http://www.openarchives.org/OAI/2.0/" schemaLocation="{(HERE / 'OAI-PMH.xsd').as_uri()}"/>
  <xs:import namespace="http://www.openarchives.org/OAI/2.0/oai_dc/" schemaLocation="{(HERE / 'oai_dc.xsd').as_uri()}"/>
  <xs:import namespace="https://jsst.example.cn/ns/jsst_core/1.0/" schemaLocation="{CORE_XSD.as_uri()}"/>
</xs:schema>"""


@cache
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(WRAPPER, base_url=str(HERE))


def validate(xml: bytes | str) -> None:
    """Raise xmlschema's validation error (with the path) unless `xml` is a valid OAI-PMH response."""
    schema().validate(xml.decode("utf-8") if isinstance(xml, bytes) else xml)
