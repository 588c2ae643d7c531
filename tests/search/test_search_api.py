"""What users type finds what they mean; the API answers in the promised shape, safely."""
import pytest


@pytest.fixture
def corpus(org, make_org, make_resource):
    suzhou = make_org(name="苏州纳米所测试中心", city="苏州")
    made = {
        "tem": make_resource("instrument", org, title="场发射透射电子显微镜", model="JEM-2100F",
                             manufacturer="JEOL", external_price=80_000,
                             summary="高分辨成像与电子衍射，适用于石墨烯等二维材料表征"),
        "sem": make_resource("instrument", suzhou, title="扫描电子显微镜 SU8010", model="SU8010",
                             manufacturer="日立", external_price=40_000, summary="表面形貌观察"),
        "nmr": make_resource("instrument", org, title="400MHz 核磁共振波谱仪", model="AVANCE NEO 400",
                             manufacturer="Bruker", external_price=30_000, category_l3="波谱仪器", summary="液体核磁氢谱碳谱测试"),
        "lcms": make_resource("instrument", suzhou, title="液相色谱-质谱联用仪", model="6545 Q-TOF",
                              manufacturer="Agilent", external_price=60_000, category_l3="质谱仪器", summary="小分子定性定量分析"),
        "xrd": make_resource("instrument", org, title="X射线衍射仪", model="D8 ADVANCE", manufacturer="Bruker",
                             external_price=20_000, category_l3="衍射仪器", summary="物相分析"),
        "hplc": make_resource("instrument", suzhou, title="高效液相色谱仪", model="1260", manufacturer="Agilent",
                              external_price=15_000, category_l3="色谱仪器"),
        "graphene": make_resource("service", suzhou, title="石墨烯材料检测服务", summary="层数、缺陷与拉曼表征",
                                  price_terms="按样品收费"),
        "patent": make_resource("achievement", org, title="一种石墨烯散热膜的制备方法", asking_price=5_000_000,
                                summary="发明专利，可转让"),
        "body_only": make_resource("dataset", org, title="江苏省材料表征数据集",
                                   summary="汇集透射电子显微镜与扫描电镜照片"),
        "draft": make_resource("instrument", org, title="草稿中的透射电镜", status="draft"),
    }
    return made


def test_users_find_resources_by_what_they_type(corpus, titles):
    assert "场发射透射电子显微镜" in titles("电镜")                 # abbreviation → full form
    assert "扫描电子显微镜 SU8010" in titles("电镜")
    assert titles("核磁") and titles("核磁")[0] == "400MHz 核磁共振波谱仪"
    assert "液相色谱-质谱联用仪" in titles("液质联用")
    assert titles("SEM")[0] == "扫描电子显微镜 SU8010"
    assert titles("sem") == titles("SEM")
    assert titles("TEM")[0] == "场发射透射电子显微镜"
    assert titles("XRD") == ["X射线衍射仪"]
    assert titles("HPLC") == ["高效液相色谱仪"]
    assert titles("JEM-2100F") == ["场发射透射电子显微镜"]
    assert titles("jem-2100f") == ["场发射透射电子显微镜"]
    assert titles("2100F") == ["场发射透射电子显微镜"]
    assert titles("南京 透射电镜")[0] == "场发射透射电子显微镜"
    assert "扫描电子显微镜 SU8010" not in titles("南京 透射电镜")  # both words must match
    assert set(titles("石墨烯 检测")) >= {"石墨烯材料检测服务"}
    assert "草稿中的透射电镜" not in titles("透射电镜")          # only published resources


def test_part_of_a_word_finds_the_word(corpus, titles):
    assert "场发射透射电子显微镜" in titles("显微")
    assert "场发射透射电子显微镜" in titles("子显微")  # not a dictionary word: n-grams
    assert "X射线衍射仪" in titles("衍射")


def test_title_matches_rank_above_body_matches(corpus, api_search):
    items = api_search(q="透射电子显微镜")["items"]
    ranked = [i["title"] for i in items]
    assert ranked.index("场发射透射电子显微镜") < ranked.index("江苏省材料表征数据集")
    assert items[0]["score"] >= items[-1]["score"]


def test_api_shape_facets_filters_sort_and_pages(corpus, api_search):
    body = api_search(q="电镜")
    assert set(body) >= {"total", "items", "facets"}
    assert body["total"] == len(body["items"]) == 3
    item = body["items"][0]
    assert set(item) >= {"id", "type", "title", "snippet", "url", "score"}
    assert item["url"] == f"/resources/{item['id']}"
    assert set(body["facets"]) == {"type", "platform", "city", "origin"}
    assert body["facets"]["origin"] == {"local": 3}  # every document is this hub's (no partner harvested)
    assert body["facets"]["type"] == {"instrument": 2, "dataset": 1}
    assert body["facets"]["city"] == {"南京": 2, "苏州": 1}

    only_sz = api_search(q="电镜", city="苏州")
    assert [i["title"] for i in only_sz["items"]] == ["扫描电子显微镜 SU8010"]
    assert only_sz["facets"]["city"] == {"南京": 2, "苏州": 1}  # own filter not applied to its counts
    assert only_sz["facets"]["type"] == {"instrument": 1}
    assert api_search(q="电镜", type="dataset")["total"] == 1
    assert api_search(q="电镜", platform="trading")["total"] == 0
    org_id = corpus["tem"].owner_org_id
    assert {i["title"] for i in api_search(q="电镜", org=org_id)["items"]} == {"场发射透射电子显微镜", "江苏省材料表征数据集"}

    by_price = [i["title"] for i in api_search(q="", type="instrument", sort="price", per_page=50)["items"]]
    assert by_price[:2] == ["高效液相色谱仪", "X射线衍射仪"] and by_price[-1] == "场发射透射电子显微镜"
    with_missing = api_search(q="石墨烯", sort="price")["items"]
    assert with_missing[-1]["price"] is None  # no price sorts last
    newest = api_search(q="", sort="newest", per_page=50)["items"]
    assert newest[0]["title"] == "江苏省材料表征数据集"

    p1 = api_search(q="", per_page=3, page=1)
    p2 = api_search(q="", per_page=3, page=2)
    assert p1["total"] == p2["total"] == 9
    assert not {i["id"] for i in p1["items"]} & {i["id"] for i in p2["items"]}
    assert api_search(q="", per_page=3, page=99)["items"] == []


def test_snippets_are_html_escaped_and_marked(org, make_resource, api_search, client):
    make_resource("instrument", org, title="<script>alert(1)</script> 电镜",
                  summary="<img src=x onerror=alert(2)> 电镜 & 样品")
    item = api_search(q="电镜")["items"][0]
    assert item["title"] == "<script>alert(1)</script> 电镜"  # JSON: plain text
    assert "<img" not in item["snippet"] and "&lt;img" in item["snippet"]
    assert "<mark>电镜</mark>" in item["snippet"] and "&amp;" in item["snippet"]
    page = client.get("/search", query_string={"q": "电镜"}).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>电镜</mark>" in page
    assert "<img src=x" not in page


@pytest.mark.parametrize("q", ['"', "(", ")", ":", "*", "AND", "OR NOT", "-", "电镜 -", "title:电镜",
                               '"电镜', "电镜 AND (核磁", "?*~^", "\\", "%", "%00", "''", "a" * 500])
def test_query_syntax_is_just_text(corpus, client, q):
    """Anything a person can type is searched as text (a NUL cannot be typed: tests/core's NUL test
    answers it 422)."""
    for url in ("/api/v1/search", "/search", "/api/v1/search/suggest"):
        resp = client.get(url, query_string={"q": q})
        assert resp.status_code == 200, (url, q, resp.status_code)


def test_huge_query_is_a_clear_422(client):
    resp = client.get("/api/v1/search", query_string={"q": "电镜" * 300})
    assert resp.status_code == 422
    assert resp.mimetype == "application/problem+json" and "q" in resp.get_json()["errors"]
    assert client.get("/api/v1/search", query_string={"q": "x" * 501}).status_code == 422
    assert client.get("/api/v1/search", query_string={"q": "x" * 500}).status_code == 200
    assert client.get("/search", query_string={"q": "x" * 1_000}).status_code == 422
    assert client.get("/search", query_string={"q": "x" * 10_000}).status_code == 414
    assert client.get("/api/v1/search/suggest", query_string={"q": "x" * 7_000}).status_code == 200


@pytest.mark.parametrize("params", [{"type": "spaceship"}, {"city": "上海"}, {"platform": "x"}, {"org": "abc"},
                                    {"sort": "random"}, {"page": "0"}, {"page": "x"}, {"per_page": "-1"},
                                    {"page": "100000"}])
def test_bad_arguments_are_clear_errors(client, params):
    resp = client.get("/api/v1/search", query_string={"q": "电镜", **params})
    assert resp.status_code in (400, 422) and resp.get_json()["errors"]
    page = client.get("/search", query_string={"q": "电镜", **params})
    if "page" in params:  # the page forgives a page number people typed (first or last page)
        assert page.status_code == 200
    else:
        assert page.status_code in (400, 422)


def test_empty_state_suggests_broader_searches(corpus, api_search, client):
    body = api_search(q="电镜", city="宿迁")
    assert body["total"] == 0 and body["suggestions"]["without_filters"] == 3
    body = api_search(q="电镜 拖拉机")  # nothing has both words: those with one of them, flagged (issue 27)
    assert body["total"] == 3 and body["partial"] is True
    body = api_search(q="JEM-2100E")
    assert "jem-2100f" in body["suggestions"]["terms"]
    body = api_search(q="透射电子显镜")  # a typo
    assert "场发射透射电子显微镜" in [t["title"] for t in body["suggestions"]["titles"]]
    page = client.get("/search", query_string={"q": "电镜", "city": "宿迁"}).get_data(as_text=True)
    assert "去掉筛选条件后有 3 条结果" in page


def test_suggest_titles_as_the_user_types(corpus, client):
    def sug(q):
        return [i["title"] for i in client.get("/api/v1/search/suggest", query_string={"q": q}).get_json()["items"]]
    assert "场发射透射电子显微镜" in sug("透射")
    assert "扫描电子显微镜 SU8010" in sug("扫描电")
    assert sug("SU80") == ["扫描电子显微镜 SU8010"]
    assert sug("") == [] and sug("   ") == []
    assert "草稿中的透射电镜" not in sug("草稿")


def test_search_page_renders_results_facets_and_script(corpus, client):
    page = client.get("/search", query_string={"q": "电镜"}).get_data(as_text=True)
    assert "场发射透射<mark>电子显微镜</mark>" in page
    assert "js/search.js" in page and "data-suggest" in page
    assert "city=%E8%8B%8F%E5%B7%9E" in page  # facet link for 苏州
    assert client.get("/static/js/search.js").status_code == 200
    assert client.get("/search").status_code == 200


def test_openapi_describes_search(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/search" in spec["paths"] and "/search/suggest" in spec["paths"]


def test_public_whoosh_api_fallback_gives_the_same_answers(corpus, titles, monkeypatch):
    from marketplace.search import query
    expected = {q: titles(q) for q in ("电镜", "JEM-2100F", "石墨烯 检测", "显微")}
    query._segment_cache.sets.clear()
    query._segment_cache.scores.clear()
    from marketplace.search import whoosh_adapter
    monkeypatch.setattr(whoosh_adapter, "FAST", True)  # restored afterwards: the failure switches it off
    monkeypatch.setattr(whoosh_adapter, "_postings_fast",
                        lambda *a: (_ for _ in ()).throw(AttributeError("codec")))
    from flask import current_app
    current_app.extensions["search"].reset()  # fresh searcher, fresh per-searcher caches
    assert {q: titles(q) for q in expected} == expected
