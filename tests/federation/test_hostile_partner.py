"""A partner that answers slowly, with broken XML, HTML in its fields, a 10 MB record, a wrong
encoding, a loop of resumption tokens or endless pages: the harvest ends with a report that says
so, never a crash or an endless loop, and nothing unescaped reaches a page."""
import threading
import time

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from marketplace.extensions import db
from marketplace.federation import services
from marketplace.federation.models import HarvestReport, Partner, PartnerRecord
from tests.conftest import free_port

HEAD = ('<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2026-11-30T02:00:00Z</responseDate>'
        '<request verb="ListRecords">http://partner/oai</request>')
CORE = 'xmlns:j="https://jsst.example.cn/ns/jsst_core/1.0/"'


def record(identifier, title="显微镜", stamp="2026-11-29T08:00:00Z", body="", deleted=False):
    status = ' status="deleted"' if deleted else ""
    header = (f"<header{status}>"
              + (f"<identifier>{identifier}</identifier>" if identifier is not None else "")
              + f"<datestamp>{stamp}</datestamp></header>")
    if deleted:
        return f"<record>{header}</record>"
    name = f"<j:name>{title}</j:name>" if title is not None else ""
    return (f"<record>{header}<metadata><j:resource {CORE}>{name}<j:type code=\"instrument\">大型科学仪器</j:type>"
            f"<j:description>{body}</j:description><j:provider>上海某研究所</j:provider>"
            f"<j:url>https://partner.example.cn/r/{identifier}</j:url></j:resource></metadata></record>")


def page(*records, token=None):
    tok = f"<resumptionToken>{token}</resumptionToken>" if token is not None else ""
    return f'<?xml version="1.0" encoding="UTF-8"?>{HEAD}<ListRecords>{"".join(records)}{tok}</ListRecords></OAI-PMH>'


def _answer(scenario: str, request: Request):
    token = request.args.get("resumptionToken")
    if scenario == "slow":
        time.sleep(0.6)
        return page(record("p:1"))
    if scenario == "broken":
        return page(record("p:1"))[:-40]
    if scenario == "dirty":
        big = "长" * (10 * 1024 * 1024 // 3 + 10)  # a 10 MB record
        return page(record("p:html", title="&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;原子力&lt;/b&gt;显微镜",
                           body="&lt;img src=x onerror=alert(2)&gt;表面形貌\n\n\t  说明"),
                    record("p:notitle", title=None), record("p:badstamp", stamp="yesterday"),
                    record(None), record("p:huge", body=big), record("p:unknown-deleted", deleted=True))
    if scenario == "mislabelled":  # GB18030 bytes that say they are UTF-8
        return page(record("p:1", title="扫描电镜")).encode("gb18030")
    if scenario == "gb18030":  # the same bytes, declared: fine
        return page(record("p:1", title="扫描电镜")).replace('encoding="UTF-8"', 'encoding="GB18030"').encode("gb18030")
    if scenario == "loop":
        return page(record(f"p:{token or 'first'}"), token="again")
    if scenario == "endless":
        n = int(token or 0) + 1
        return page(record(f"p:{n}"), token=str(n))
    if scenario == "days":  # a repository of day granularity
        since = request.args.get("from", "")
        if "T" in since:
            return f'<?xml version="1.0"?>{HEAD}<error code="badArgument">granularity</error></OAI-PMH>'
        return page(record(f"p:since-{since or 'ever'}"))
    if scenario == "error":
        return (f'<?xml version="1.0"?>{HEAD}<error code="badArgument">&lt;b&gt;no&lt;/b&gt;</error></OAI-PMH>')
    if scenario == "down":
        return Response("<html>oops</html>", status=500)
    if scenario == "html":
        return Response("<!DOCTYPE html><html><body><p>欢迎<br></body></html>", mimetype="text/html")
    raise AssertionError(scenario)


@pytest.fixture
def partner_url():
    def wsgi(environ, start_response):
        request = Request(environ)
        out = _answer(request.path.strip("/"), request)
        if not isinstance(out, Response):
            out = Response(out, mimetype="text/xml")
        return out(environ, start_response)

    port = free_port()
    server = make_server("127.0.0.1", port, wsgi, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    server.server_close()
    thread.join(5)


def _harvest(partner_url, scenario, **config):
    from flask import current_app
    current_app.config.update(config)
    partner = services.add_partner(services.partner_input(
        {"name": scenario, "region": "zhejiang", "base_url": f"{partner_url}/{scenario}"}), actor=None)
    db.session.commit()
    report = services.run_harvest(partner.id)
    db.session.commit()
    return report, {r.identifier: r for r in db.session.scalars(
        sa.select(PartnerRecord).where(PartnerRecord.partner_id == partner.id))}


def test_dirty_records_are_skipped_with_reasons_and_html_is_stripped(client, partner_url):
    report, records = _harvest(partner_url, "dirty")
    assert (report.status, report.added, report.skipped) == ("ok", 1, 4)
    reasons = {p["identifier"]: p["reason"] for p in report.problems}
    assert reasons == {"p:notitle": "no title", "p:badstamp": "no valid datestamp", "": "no identifier",
                       "p:huge": "record too large"}
    rec = records["p:html"]
    assert "<" not in rec.title and "原子力" in rec.title and "显微镜" in rec.title
    assert rec.description == "表面形貌\n说明"
    assert set(records) == {"p:html"}
    assert rec.type == "instrument" and rec.url == "https://partner.example.cn/r/p:html"


@pytest.mark.parametrize("scenario, reason", [
    ("slow", "no answer: ReadTimeout"),
    ("broken", "invalid XML"),
    ("mislabelled", "invalid XML"),
    ("error", "partner error badArgument: no"),
    ("down", "HTTP 500"),
    ("html", "invalid XML"),
])
def test_an_unusable_answer_fails_the_harvest_with_its_reason(client, partner_url, scenario, reason):
    report, records = _harvest(partner_url, scenario, HARVEST_TIMEOUT=0.3)
    assert report.status == "failed" and report.error.startswith(reason) and records == {}
    partner = db.session.get(Partner, report.partner_id)
    assert partner.harvested_from is None  # the next harvest starts again from the same point


def test_a_declared_encoding_is_honoured(client, partner_url):
    report, records = _harvest(partner_url, "gb18030")
    assert report.status == "ok" and records["p:1"].title == "扫描电镜"


def test_a_loop_of_tokens_and_endless_pages_stop(client, partner_url):
    report, records = _harvest(partner_url, "loop")
    assert report.status == "failed" and "loop" in report.error and report.pages == 2
    assert set(records) == {"p:first", "p:again"}  # what came before the loop is kept
    report, records = _harvest(partner_url, "endless", HARVEST_MAX_PAGES=4)
    assert report.status == "failed" and "more than 4 pages" in report.error and len(records) == 4
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HarvestReport)) == 2


def test_a_partner_of_day_granularity_is_asked_again_by_day(client, partner_url):
    from datetime import datetime
    report, records = _harvest(partner_url, "days")
    assert report.status == "ok" and set(records) == {"p:since-ever"}
    partner = db.session.get(Partner, report.partner_id)
    partner.harvested_from = datetime(2026, 11, 29, 8, 30)
    db.session.commit()
    report = services.run_harvest(partner.id)
    db.session.commit()
    assert report.status == "ok" and report.added == 1 and report.pages == 2
    assert db.session.scalar(sa.select(PartnerRecord.identifier).where(
        PartnerRecord.identifier == "p:since-2026-11-29")) is not None
