"""Home, the six platform landing pages, language switch, list filters and pagination."""
import re
from urllib.parse import quote

import pytest

from marketplace.catalog.types import PLATFORMS, RESOURCE_TYPES
from marketplace.core.reference import CITIES


def _stat(page, href):
    """The count shown on the card that links to `href`."""
    match = re.search(re.escape(f'href="{href}"') + r'.*?<div class="stat">(\d+)</div>', page, re.S)
    assert match, href
    return int(match.group(1))


def test_home_shows_ten_types_with_counts_six_platforms_and_thirteen_cities(client, make_org, make_resource):
    org = make_org(name="徐州工程机械研究院", city="徐州")
    make_resource("instrument", org, title="三坐标测量机", city="徐州")
    make_resource("instrument", org, title="疲劳试验机", city="徐州")
    make_resource("achievement", org, title="液压挖掘机节能技术", city="徐州")
    make_resource("talent", org, title="草稿专家", status="draft")
    page = client.get("/").get_data(as_text=True)

    counts = {key: _stat(page, f"/resources?type={key}") for key in RESOURCE_TYPES}
    assert counts == {**{k: 0 for k in RESOURCE_TYPES}, "instrument": 2, "achievement": 1}
    for t in RESOURCE_TYPES.values():
        assert t.name_zh in page
    for key, p in PLATFORMS.items():
        assert f'href="/platforms/{key}"' in page and p[0] in page
    city_links = re.findall(r'href="/resources\?city=([^"]+)"', page)
    assert len(city_links) == 13 and set(_unquote(city_links)) == set(CITIES)
    assert re.search(r"徐州\s*<span class=\"badge\">3</span>", page)
    assert "液压挖掘机节能技术" in page and "三坐标测量机" in page and "草稿专家" not in page  # newest listings


def _unquote(items):
    from urllib.parse import unquote
    return [unquote(i) for i in items]


@pytest.mark.parametrize("key", list(PLATFORMS))
def test_each_platform_landing_page_shows_its_types_counts_and_newest(key, client, make_org, make_resource):
    org = make_org(name="常州科教城", city="常州")
    own_types = [t for t, spec in RESOURCE_TYPES.items() if key in spec.platforms]
    for t in own_types:
        make_resource(t, org, title=f"{key}-{t}-已发布")
        make_resource(t, org, title=f"{key}-{t}-草稿", status="draft")
    other = next(t for t, spec in RESOURCE_TYPES.items() if key not in spec.platforms)
    make_resource(other, org, title="别的平台的资源")

    resp = client.get(f"/platforms/{key}")
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    assert f"<h1>{PLATFORMS[key][0]}</h1>" in page and PLATFORMS[key][1] in page
    for t in own_types:
        assert _stat(page, f"/resources?platform={key}&amp;type={t}") == 1
        assert f"{key}-{t}-已发布" in page and f"{key}-{t}-草稿" not in page
    assert f"type={other}" not in page.split("<h2>")[1]  # types of other platforms are not listed
    assert "别的平台的资源" not in page


def test_empty_platform_says_so_and_unknown_platform_is_404(client):
    assert "该平台暂无已发布的资源" in client.get("/platforms/finance").get_data(as_text=True)
    assert client.get("/platforms/moon").status_code == 404


def test_chinese_by_default_and_english_on_request(client):
    page = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="zh-CN">' in page and "资源共享平台" in page and "Resource Sharing" not in page

    resp = client.get("/lang/en", headers={"Referer": "http://localhost/platforms/trading"})
    assert resp.status_code == 302 and resp.headers["Location"] == "http://localhost/platforms/trading"
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page
    nav = page.split('class="wrap main-nav"')[1].split("</nav>")[0]
    assert "Resource Sharing" in nav and "Technology Trading" in nav and "资源共享平台" not in nav
    assert "Nanjing" in page  # cities in English too
    assert "Large scientific instruments" in page

    client.get("/lang/zh")
    assert "资源共享平台" in client.get("/").get_data(as_text=True)


def test_language_switch_ignores_unknown_languages_and_foreign_referrers(client):
    resp = client.get("/lang/fr", headers={"Referer": "https://evil.example/"})
    assert resp.headers["Location"] == "/"
    assert '<html lang="zh-CN">' in client.get("/").get_data(as_text=True)


@pytest.fixture
def catalogue(make_org, make_resource):
    nj = make_org(name="南京大学", city="南京")
    sz = make_org(name="苏州纳米所", kind="research_institute", city="苏州")
    make_resource("instrument", nj, title="南京-仪器")
    make_resource("dataset", nj, title="南京-数据")
    make_resource("instrument", sz, title="苏州-仪器", city="苏州")
    make_resource("incubator", sz, title="苏州-孵化器", city="苏州")
    make_resource("instrument", sz, title="苏州-草稿仪器", city="苏州", status="draft")
    return nj, sz


def _titles(page):
    return sorted(re.findall(r'<h3><a href="/resources/\d+">([^<]+)</a></h3>', page))


@pytest.mark.parametrize("query, expected", [
    ("", ["南京-仪器", "南京-数据", "苏州-仪器", "苏州-孵化器"]),
    ("type=instrument", ["南京-仪器", "苏州-仪器"]),
    ("platform=data", ["南京-数据"]),
    ("platform=startup", ["苏州-孵化器"]),
    ("city=" + quote("苏州"), ["苏州-仪器", "苏州-孵化器"]),
    ("type=instrument&city=" + quote("南京"), ["南京-仪器"]),
    ("org={sz}", ["苏州-仪器", "苏州-孵化器"]),
    ("org={sz}&type=incubator", ["苏州-孵化器"]),
    ("type=talent", []),
])
def test_list_filters(query, expected, client, catalogue):
    nj, sz = catalogue
    query = query.format(sz=sz.id)
    page = client.get(f"/resources?{query}").get_data(as_text=True)
    assert _titles(page) == sorted(expected)
    assert f"共 {len(expected)} 条" in page
    if not expected:
        assert "没有符合条件的资源" in page
    api = client.get(f"/api/v1/resources?{query}").get_json()
    assert sorted(i["title"] for i in api["items"]) == sorted(expected) and api["total"] == len(expected)


@pytest.mark.parametrize("query", ["type=spaceship", "platform=moon", "city=" + quote("上海"), "org=abc",
                                   "org=99999999999999999999", "page=abc", "page=0", "page=-3", "per_page=0",
                                   "per_page=x", "page=1.5"])
def test_bad_list_parameters_are_explained_not_500(query, client, catalogue):
    resp = client.get(f"/resources?{query}")
    if query.startswith("page="):  # a page number people typed shows the first page (see core.pagination)
        assert resp.status_code == 200 and 'aria-current="page"' not in resp.get_data(as_text=True)
        assert "南京-仪器" in resp.get_data(as_text=True)
    else:
        assert resp.status_code in (400, 422), resp.status_code
    api = client.get(f"/api/v1/resources?{query}")
    assert api.status_code in (400, 422) and api.mimetype == "application/problem+json"
    body = api.get_json()
    assert body["status"] == api.status_code and body["errors"]


def test_pagination(client, make_org, make_resource):
    org = make_org()
    for i in range(25):
        make_resource("instrument", org, title=f"仪器{i:02d}")
    page = client.get("/resources?per_page=10").get_data(as_text=True)
    assert len(_titles(page)) == 10 and "第 1 / 3 页" in page and 'rel="next"' in page
    assert "仪器24" in page  # newest first
    page3 = client.get("/resources?per_page=10&page=3").get_data(as_text=True)
    assert len(_titles(page3)) == 5 and 'rel="prev"' in page3 and 'rel="next"' not in page3
    seen = set(_titles(page)) | set(_titles(client.get("/resources?per_page=10&page=2").get_data(as_text=True))) \
        | set(_titles(page3))
    assert len(seen) == 25

    beyond = client.get("/resources?per_page=10&page=9")  # past the end: the last page
    assert beyond.status_code == 200 and sorted(_titles(beyond.get_data(as_text=True))) == sorted(_titles(page3))
    assert '<span aria-current="page">3</span>' in beyond.get_data(as_text=True)

    api = client.get("/api/v1/resources?per_page=10&page=3").get_json()
    assert (len(api["items"]), api["total"], api["page"], api["per_page"]) == (5, 25, 3, 10)
    assert client.get("/api/v1/resources?page=9").get_json()["items"] == []
    assert client.get("/api/v1/resources?per_page=100000").get_json()["per_page"] == 100  # capped


def test_my_resources_paginates_and_rejects_unknown_status(client, make_org, make_user, login, make_resource):
    org = make_org()
    for i in range(3):
        make_resource("service", org, title=f"服务{i}", status="draft")
    login(client, make_user(org=org))
    page = client.get("/my/resources?per_page=2").get_data(as_text=True)
    assert "第 1 / 2 页" in page
    assert client.get("/my/resources?status=bogus").status_code == 400
    assert "服务" in client.get("/my/resources?page=x").get_data(as_text=True)  # page 1
    assert "服务0" in client.get("/my/resources?status=draft&per_page=2&page=2").get_data(as_text=True)
