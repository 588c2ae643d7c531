"""Numbered pages that forgive odd page numbers, and the favicon."""
import pytest

from marketplace.core.pagination import page_number, page_window


@pytest.mark.parametrize("raw, page", [("1", 1), ("7", 7), ("abc", 1), ("-1", 1), ("0", 1), ("", 1), (None, 1),
                                       ("1.5", 1), (" 3 ", 3), ("9" * 30, 1_000_000)])
def test_page_number_forgives_what_people_type(raw, page):
    assert page_number(raw) == page


def test_page_window_shows_first_last_and_neighbours():
    assert page_window(1, 1) == [1]
    assert page_window(1, 5) == [1, 2, 3, 4, 5]
    assert page_window(6, 20) == [1, None, 4, 5, 6, 7, 8, None, 20]
    assert page_window(4, 20) == [1, 2, 3, 4, 5, 6, None, 20]   # 1 … 2 would hide one page: shown
    assert page_window(20, 20) == [1, None, 18, 19, 20]
    assert page_window(99, 3) == [1, 2, 3]


@pytest.fixture
def many(make_org, make_resource):
    org = make_org()
    for i in range(45):
        make_resource("instrument", org, title=f"仪器{i:02d}")


def _titles(html):
    return [t.split("</a>")[0].split(">")[-1] for t in html.split('<h3><a ')[1:]]


@pytest.mark.parametrize("page, shown", [("999", 3), ("abc", 1), ("-1", 1), ("0", 1), ("2", 2)])
def test_resource_list_clamps_the_page(client, many, page, shown):
    resp = client.get(f"/resources?page={page}")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert f'<span aria-current="page">{shown}</span>' in html
    assert len(_titles(html)) == (5 if shown == 3 else 20)


def test_numbered_links_keep_the_filters(client, many):
    html = client.get("/resources?city=%E5%8D%97%E4%BA%AC&page=2").get_data(as_text=True)
    pager = html.split('class="pager"')[1].split("</nav>")[0]
    assert 'aria-label="第 3 页"' in pager and "page=3" in pager and "city=" in pager
    assert 'rel="prev"' in pager and 'rel="next"' in pager


def test_favicon_is_linked_and_served(client):
    html = client.get("/").get_data(as_text=True)
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    for path in ("/favicon.ico", "/static/favicon.svg"):
        resp = client.get(path)
        assert resp.status_code == 200 and resp.mimetype == "image/svg+xml" and b"<svg" in resp.data


def test_status_badge_only_for_the_owner_and_staff(client, make_org, make_user, make_resource, login):
    org = make_org()
    r = make_resource("instrument", org, title="公开仪器")
    assert 'class="status' not in client.get(f"/resources/{r.id}").get_data(as_text=True)
    login(client, make_user(org=org))
    assert 'class="status status-published"' in client.get(f"/resources/{r.id}").get_data(as_text=True)
    client.post("/logout")
    login(client, make_user(org=make_org()))  # a member of another organisation is a visitor here
    assert 'class="status' not in client.get(f"/resources/{r.id}").get_data(as_text=True)


def test_english_cards_name_the_city_in_english(client, make_org, make_resource):
    org = make_org(name="南京大学", city="南京")
    r = make_resource("instrument", org, title="透射电子显微镜")
    client.get("/lang/en")
    card = client.get("/resources").get_data(as_text=True).split('class="card list-item"')[1].split("</article>")[0]
    assert "南京大学 · Nanjing" in card and "· 南京" not in card
    aside = client.get(f"/resources/{r.id}").get_data(as_text=True).split("<aside>")[1]
    assert "Nanjing" in aside.split("</section>")[0]
