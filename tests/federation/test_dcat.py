"""The DCAT catalogue (/catalog.jsonld) read back with rdflib, and the API's `updated_since`."""
from datetime import datetime

import sqlalchemy as sa
from rdflib import RDF, Graph, URIRef
from rdflib import namespace as ns

from marketplace.catalog.models import Resource
from marketplace.extensions import db

HYDRA = ns.Namespace("http://www.w3.org/ns/hydra/core#")


def test_rdflib_reads_one_dataset_per_public_resource_over_the_pages(client, app, make_org, make_resource):
    app.config["DCAT_PAGE_SIZE"] = 2
    org = make_org(name="东南大学")
    public = [make_resource("instrument", org, title="核磁共振波谱仪"),
              make_resource("dataset", org, title="江苏土壤普查数据", doi="10.11922/sciencedb.123",
                            data_format="CSV", licence="CC BY 4.0"),
              make_resource("achievement", org, title="一种锂电池隔膜"),
              make_resource("talent", org, title="化学专家"),
              make_resource("service", org, title="分析测试服务")]
    gone = make_resource("instrument", org, title="已下线的仪器")
    db.session.execute(sa.update(Resource).where(Resource.id == gone.id).values(status="offline"))
    db.session.commit()
    make_resource("instrument", org, status="draft", title="草稿仪器")

    graph, url, pages = Graph(), "/catalog.jsonld?page=1", 0
    while url:
        resp = client.get(url)
        assert resp.status_code == 200 and resp.mimetype == "application/ld+json"
        page = Graph().parse(data=resp.get_data(as_text=True), format="json-ld", publicID="http://localhost/")
        graph += page
        pages += 1
        nxt = next(page.objects(None, HYDRA.next), None)
        url = str(nxt).replace("http://localhost", "") if nxt else None
    assert pages == 3

    datasets = set(graph.subjects(RDF.type, ns.DCAT.Dataset))
    assert len(datasets) == 5
    catalog = next(graph.subjects(RDF.type, ns.DCAT.Catalog))
    assert set(graph.objects(catalog, ns.DCAT.dataset)) == datasets
    cstrs = {str(graph.value(d, ns.DCTERMS.identifier)) for d in datasets}
    assert cstrs == {db.session.get(Resource, r.id).cstr for r in public}
    titles = {str(graph.value(d, ns.DCTERMS.title)) for d in datasets}
    assert "已下线的仪器" not in titles and "草稿仪器" not in titles and "一种锂电池隔膜" in titles

    data = next(d for d in datasets if str(graph.value(d, ns.DCTERMS.title)) == "江苏土壤普查数据")
    dist = graph.value(data, ns.DCAT.distribution)
    assert graph.value(dist, RDF.type) == ns.DCAT.Distribution
    assert graph.value(dist, ns.DCAT.accessURL) == URIRef("https://doi.org/10.11922/sciencedb.123")
    assert str(graph.value(dist, ns.DCTERMS.license)) == "CC BY 4.0"
    assert str(graph.value(dist, ns.DCTERMS["format"])) == "CSV"
    # only scientific data has a distribution
    assert sum(1 for _ in graph.subject_objects(ns.DCAT.distribution)) == 1


def test_pages_out_of_range_are_not_found(client):
    assert client.get("/catalog.jsonld").status_code == 200  # an empty catalogue is one empty page
    for page in ("2", "0", "-1", "abc", "9" * 30):
        assert client.get(f"/catalog.jsonld?page={page}").status_code == 404


def test_api_updated_since_lists_changes_oldest_first(client, make_org, make_resource):
    org = make_org()
    old, mid, new = (make_resource("instrument", org, title=t) for t in ("旧", "中", "新"))
    for r, stamp in ((old, "2026-01-05 00:00:00"), (mid, "2026-03-01 08:00:00"), (new, "2026-02-01 00:00:00")):
        db.session.execute(sa.update(Resource).where(Resource.id == r.id)
                           .values(updated_at=datetime.fromisoformat(stamp)))
    db.session.commit()

    body = client.get("/api/v1/resources", query_string={"updated_since": "2026-02-01T08:00:00+08:00"}).get_json()
    assert [i["title"] for i in body["items"]] == ["新", "中"] and body["total"] == 2
    assert body["items"][0]["cstr"].startswith("CSTR:32100.11.")
    everything = client.get("/api/v1/resources").get_json()
    assert everything["total"] == 3

    for bad in ("2026-02-01T00:00:00", "yesterday", "2026-13-01T00:00:00+08:00"):
        resp = client.get("/api/v1/resources", query_string={"updated_since": bad})
        assert resp.status_code == 422 and "updated_since" in resp.get_json()["errors"]


def test_the_dump_holds_every_listing_once(app, make_org, make_resource, tmp_path):
    import json
    org = make_org(name="扬州大学")
    kept = [make_resource("instrument", org, title=f"仪器{i}") for i in range(3)]
    gone = make_resource("bioresource", org, title="菌种")
    db.session.execute(sa.update(Resource).where(Resource.id == gone.id).values(status="archived"))
    db.session.commit()
    make_resource("instrument", org, status="draft")
    out = tmp_path / "dump.jsonl"
    result = app.test_cli_runner().invoke(args=["federation", "dump", "--out", str(out),
                                                "--base-url", "https://hub.example.cn"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [line["name"] for line in lines[:3]] == ["仪器0", "仪器1", "仪器2"]
    assert lines[0]["url"] == f"https://hub.example.cn/resources/{kept[0].id}" and lines[0]["provider"] == "扬州大学"
    assert lines[3] == {"identifier": db.session.get(Resource, gone.id).cstr, "deleted": True,
                        "updated": lines[3]["updated"]}
    assert len(lines) == 4
