"""OAI-PMH 2.0 at /oai, harvested by an independent client (Sickle) over HTTP; every response Sickle
receives is validated against the official OAI-PMH schema and the metadata formats' schemas."""
from datetime import datetime

import pytest
import sqlalchemy as sa
from lxml import etree
from sickle import Sickle
from sickle.oaiexceptions import NoRecordsMatch

from marketplace.catalog.models import Resource
from marketplace.extensions import db

from .oaischema import validate

OAI = "{http://www.openarchives.org/OAI/2.0/}"


class ValidatingSickle(Sickle):
    """Sickle that checks every response against the schemas and counts the requests."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.responses = 0

    def harvest(self, **kwargs):
        response = super().harvest(**kwargs)
        validate(response.raw.encode("utf-8") if isinstance(response.raw, str) else response.raw)
        self.responses += 1
        return response


def _catalogue(make_org, make_resource):
    nanjing, suzhou = make_org(name="南京大学", city="南京"), make_org(name="苏州大学", city="苏州")
    made = [make_resource("instrument", nanjing, title="透射电子显微镜"),
            make_resource("instrument", suzhou, title="质谱仪"),
            make_resource("dataset", nanjing, title="长江水文数据"),
            make_resource("achievement", suzhou, title="石墨烯导热膜专利"),
            make_resource("talent", nanjing, title="材料学专家"),
            make_resource("service", suzhou, title="检测认证服务"),
            make_resource("facility", nanjing, title="中试基地")]
    withdrawn = make_resource("finance", suzhou, title="苏科贷")
    draft = make_resource("incubator", nanjing, status="draft", title="未发布的众创空间")
    db.session.execute(sa.update(Resource).where(Resource.id == withdrawn.id).values(status="offline"))
    db.session.commit()
    return made, withdrawn, draft


def _cstr(resource):
    return db.session.scalar(sa.select(Resource.cstr).where(Resource.id == resource.id))


def test_sickle_harvests_the_whole_catalogue_in_pages(app, live_server, make_org, make_resource):
    app.config["OAI_PAGE_SIZE"] = 3
    made, withdrawn, draft = _catalogue(make_org, make_resource)
    sickle = ValidatingSickle(f"{live_server}/oai")

    identify = sickle.Identify()
    assert identify.deletedRecord == "persistent" and identify.granularity == "YYYY-MM-DDThh:mm:ssZ"
    assert {f.metadataPrefix for f in sickle.ListMetadataFormats()} == {"oai_dc", "jsst_core"}
    specs = {s.setSpec for s in sickle.ListSets()}
    assert {"type:instrument", "type:achievement", "city:nanjing", "city:suzhou"} <= specs

    records = list(sickle.ListRecords(metadataPrefix="oai_dc", ignore_deleted=False))
    ids = [r.header.identifier for r in records]
    assert len(ids) == len(set(ids)) == 8          # seven public, one deleted, no draft
    assert sickle.responses >= 3 + 3              # three pages of records (8 by 3), after the three above
    assert set(ids) == {_cstr(r) for r in [*made, withdrawn]}
    deleted = [r for r in records if r.header.deleted]
    assert [r.header.identifier for r in deleted] == [_cstr(withdrawn)]
    microscope = next(r for r in records if r.header.identifier == _cstr(made[0]))
    assert microscope.metadata["title"] == ["透射电子显微镜"]
    assert microscope.metadata["publisher"] == ["南京大学"]
    assert f"/resources/{made[0].id}" in microscope.metadata["identifier"][1]
    assert sorted(microscope.header.setSpecs) == ["city:nanjing", "type:instrument"]

    core = {r.header.identifier: r.metadata
            for r in sickle.ListRecords(metadataPrefix="jsst_core", ignore_deleted=True)}
    assert len(core) == 7
    patent = core[_cstr(made[3])]
    assert patent["name"] == ["石墨烯导热膜专利"] and patent["type"] == ["科技成果"]
    assert patent["provider"] == ["苏州大学"] and patent["location"][0].startswith("苏州")

    headers = list(sickle.ListIdentifiers(metadataPrefix="jsst_core", set="type:instrument"))
    assert {h.identifier for h in headers} == {_cstr(made[0]), _cstr(made[1])}
    suzhou = {h.identifier for h in sickle.ListIdentifiers(metadataPrefix="oai_dc", set="city:suzhou",
                                                            ignore_deleted=False)}
    assert suzhou == {_cstr(r) for r in (made[1], made[3], made[5], withdrawn)}

    one = sickle.GetRecord(identifier=_cstr(made[2]), metadataPrefix="jsst_core")
    assert one.metadata["name"] == ["长江水文数据"]
    gone = sickle.GetRecord(identifier=_cstr(withdrawn), metadataPrefix="oai_dc")
    assert gone.header.deleted


def _set_stamp(resource, stamp):
    db.session.execute(sa.update(Resource).where(Resource.id == resource.id)
                       .values(updated_at=datetime.fromisoformat(stamp)))
    db.session.commit()


def test_from_and_until_select_by_datestamp_to_the_second(app, live_server, make_org, make_resource):
    org = make_org()
    a, b, c = (make_resource("instrument", org, title=t) for t in ("甲", "乙", "丙"))
    _set_stamp(a, "2026-03-01 08:00:00.400000")
    _set_stamp(b, "2026-03-01 08:00:01")
    _set_stamp(c, "2026-03-02 09:30:00")
    sickle = ValidatingSickle(f"{live_server}/oai")

    def ids(**kw):
        try:
            return {h.identifier for h in sickle.ListIdentifiers(metadataPrefix="oai_dc", **kw)}
        except NoRecordsMatch:
            return set()

    assert ids(**{"from": "2026-03-01T08:00:00Z", "until": "2026-03-01T08:00:00Z"}) == {_cstr(a)}
    assert ids(**{"from": "2026-03-01T08:00:01Z"}) == {_cstr(b), _cstr(c)}
    assert ids(until="2026-03-01") == {_cstr(a), _cstr(b)}
    assert ids(**{"from": "2026-03-02", "until": "2026-03-02"}) == {_cstr(c)}
    assert ids(until="2026-02-28") == set()


def _oai(client, **params):
    resp = client.get("/oai", query_string=params)
    assert resp.status_code == 200 and resp.mimetype == "text/xml"
    validate(resp.data)
    return etree.fromstring(resp.data)


def _listing(root, verb):
    body = root.find(f"{OAI}{verb}")
    ids = [h.findtext(f"{OAI}identifier") for h in body.iter(f"{OAI}header")]
    token = body.find(f"{OAI}resumptionToken")
    return ids, (token.text if token is not None else None), token


def test_resumption_tokens_survive_changes_during_a_harvest(client, make_org, make_resource, app):
    app.config["OAI_PAGE_SIZE"] = 2
    org = make_org()
    rs = [make_resource("instrument", org, title=f"仪器{i}") for i in range(6)]
    first = _oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    started = first.findtext(f"{OAI}responseDate")
    seen, token, el = _listing(first, "ListIdentifiers")
    assert el.get("completeListSize") == "6" and el.get("cursor") == "0"

    # During the harvest: a delivered listing and a waiting one are edited, a new one is published.
    for r in (rs[0], rs[4]):
        db.session.execute(sa.update(Resource).where(Resource.id == r.id).values(title=r.title + "（新）"))
    db.session.commit()
    late = make_resource("instrument", org, title="新仪器")

    while token:
        ids, token, el = _listing(_oai(client, verb="ListIdentifiers", resumptionToken=token), "ListIdentifiers")
        seen += ids
    assert el.text is None and el.get("cursor") == "4"  # the last page: an empty token
    assert len(seen) == len(set(seen))                  # nothing twice
    unchanged = {_cstr(r) for r in rs if r not in (rs[0], rs[4])}
    assert unchanged <= set(seen) and _cstr(late) not in seen

    # The next incremental harvest, from the first answer's responseDate, brings what changed.
    ids, token, _el = _listing(_oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc",
                                    **{"from": started}), "ListIdentifiers")
    while token:
        more, token, _el = _listing(_oai(client, verb="ListIdentifiers", resumptionToken=token), "ListIdentifiers")
        ids += more
    assert {_cstr(rs[0]), _cstr(rs[4]), _cstr(late)} <= set(ids)


@pytest.mark.parametrize("params, code", [
    ({}, "badVerb"),
    ({"verb": "Harvest"}, "badVerb"),
    ({"verb": ["Identify", "Identify"]}, "badVerb"),
    ({"verb": "Identify", "extra": "1"}, "badArgument"),
    ({"verb": "ListRecords"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": ["oai_dc", "oai_dc"]}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2026-13-01"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2026-01-01T00:00:00"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2026-01-01", "until": "2026-02-01T00:00:00Z"},
     "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2026-02-01", "until": "2026-01-01"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "resumptionToken": "abc"}, "badArgument"),
    ({"verb": "ListRecords", "resumptionToken": "abc"}, "badResumptionToken"),
    ({"verb": "ListSets", "resumptionToken": "abc"}, "badResumptionToken"),
    ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
    ({"verb": "GetRecord", "identifier": "CSTR:32100.11.424242", "metadataPrefix": "oai_dc"}, "idDoesNotExist"),
    ({"verb": "GetRecord", "identifier": "CSTR:32100.11.1", "metadataPrefix": "ead"}, "cannotDisseminateFormat"),
    ({"verb": "GetRecord", "identifier": "CSTR:32100.11.1"}, "badArgument"),
    ({"verb": "ListMetadataFormats", "identifier": "oai:elsewhere:1"}, "idDoesNotExist"),
    ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}, "noRecordsMatch"),
    ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": "city:beijing"}, "noRecordsMatch"),
    ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "from": "x" * 5000}, "badArgument"),
    ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": "城市:南京"}, "badArgument"),
    ({"verb": "ListIdentifiers", "metadataPrefix": "marc 21"}, "badArgument"),
    ({"verb": "GetRecord", "identifier": "no scheme here", "metadataPrefix": "oai_dc"}, "badArgument"),
])
def test_protocol_errors_are_the_standards(client, params, code):
    root = _oai(client, **params)
    errors = root.findall(f"{OAI}error")
    assert [e.get("code") for e in errors] == [code]
    request = root.find(f"{OAI}request")
    if code in ("badVerb", "badArgument"):
        assert dict(request.attrib) == {}  # the standard: the base URL only
    else:
        assert request.get("verb") == params["verb"]


def test_a_token_of_one_list_is_refused_by_another(client, make_org, make_resource, app):
    app.config["OAI_PAGE_SIZE"] = 1
    org = make_org()
    make_resource("instrument", org)
    make_resource("instrument", org)
    _ids, token, _el = _listing(_oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc"), "ListIdentifiers")
    root = _oai(client, verb="ListRecords", resumptionToken=token)
    assert root.find(f"{OAI}error").get("code") == "badResumptionToken"
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    root = _oai(client, verb="ListIdentifiers", resumptionToken=forged)
    assert root.find(f"{OAI}error").get("code") == "badResumptionToken"


def test_hostile_text_stays_valid_xml_and_post_works(client, make_org, make_resource):
    org = make_org(name="<b>单位</b> & Co")
    r = make_resource("instrument", org, title="<script>alert(1)</script>\x07仪器", summary="控制符\x1f\x0b", tags="a,<i>")
    resp = client.post("/oai", data={"verb": "GetRecord", "identifier": _cstr(r), "metadataPrefix": "jsst_core"})
    validate(resp.data)
    root = etree.fromstring(resp.data)
    name = root.find(".//{https://jsst.example.cn/ns/jsst_core/1.0/}name").text
    assert name == "<script>alert(1)</script>仪器"  # text, escaped by XML; the control character dropped
    assert b"<script>" not in resp.data
