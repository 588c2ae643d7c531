"""The header menu by role: each role is offered what it uses, counts on links, a phone menu button."""
import pytest

from marketplace.core import nav
from marketplace.extensions import db


def _nav(html: str) -> str:
    return html.split('id="site-nav"')[1].split("</nav>")[0]


def _page(client, login, user, path="/"):
    client.post("/logout")
    login(client, user)
    return client.get(path).get_data(as_text=True)


@pytest.fixture
def people(make_org, make_user, make_resource):
    company = make_org(name="无锡感知科技有限公司", kind="enterprise", city="无锡", sme=True)
    lab = make_org(name="南京大学现代分析中心", kind="university", city="南京")
    make_resource("instrument", lab, title="场发射扫描电子显微镜")
    return {
        "company": make_user(org=company, email="company@test.cn"),
        "lab": make_user(org=lab, email="lab@test.cn", org_admin=True),
        "finance": make_user(email="finance@test.cn", roles=("finance",)),
        "reviewer": make_user(email="reviewer@test.cn", roles=("reviewer",)),
    }


def test_a_company_is_not_offered_the_providers_pages(client, login, people):
    menu = _nav(_page(client, login, people["company"]))
    assert "我的预约" in menu
    for label in ("预约审批", "发布资源", "API 令牌", "资源审核", "补贴与结算"):
        assert label not in menu, label


def test_a_lab_with_instruments_approves_bookings_and_publishes(client, login, people):
    menu = _nav(_page(client, login, people["lab"]))
    for label in ("我的资源", "发布资源", "预约审批", "我的预约", "API 令牌"):
        assert label in menu, label
    assert "补贴与结算" not in menu and "资源审核" not in menu
    # the most used come first: the booking queue before the rarely used token page
    assert menu.index("预约审批") < menu.index("API 令牌")


def test_a_company_that_already_lists_resources_keeps_publish(client, login, people, make_resource):
    make_resource("achievement", people["company"].organisation, title="一种柔性传感器")
    assert "发布资源" in _nav(_page(client, login, people["company"]))


def test_finance_and_reviewer_see_their_desks_not_booking_pages(client, login, people):
    menu = _nav(_page(client, login, people["finance"]))
    assert "补贴与结算" in menu and "向单位付款" in menu
    assert "我的预约" not in menu and "预约审批" not in menu and "发布资源" not in menu
    menu = _nav(_page(client, login, people["reviewer"]))
    assert "资源审核" in menu and "补贴与结算" not in menu


def test_visitors_see_platforms_only_and_a_menu_button(client):
    html = client.get("/").get_data(as_text=True)
    menu = _nav(html)
    assert "资源共享平台" in menu and "我的预约" not in menu and "nav-more" not in menu
    assert 'data-menu-toggle' in html and 'aria-controls="site-nav user-nav"' in html


def test_a_link_badge_shows_a_count_and_nothing_when_zero(client, login, people):
    counts = {"n": 3}
    nav.set_badge("booking.my_bookings", lambda user: counts["n"])
    try:
        menu = _nav(_page(client, login, people["company"]))
        assert '>3</span>' in menu.split("我的预约")[1].split("</a>")[0]
        counts["n"] = 0
        menu = _nav(client.get("/").get_data(as_text=True))
        assert "badge" not in menu.split("我的预约")[1].split("</a>")[0]
    finally:
        nav.set_badge("booking.my_bookings", None)


def test_links_for_orders_by_priority_and_skips_absent_endpoints(app, people):
    user = people["lab"]
    items = nav.links_for(user, app.view_functions)
    endpoints = [i.endpoint for i in items]
    assert endpoints.index("booking.queue") < endpoints.index("catalog.mine") < endpoints.index("accounts.tokens")
    assert all(ep in app.view_functions for ep in endpoints)
    assert "booking.queue" not in [i.endpoint for i in nav.links_for(user, {"catalog.mine": None})]


def test_predicates_answer_from_the_database_once_per_request(app, people):
    from marketplace.api import uses_api
    from marketplace.catalog.nav import approves_bookings, provides_resources
    with app.test_request_context():
        lab = db.session.merge(people["lab"])
        assert approves_bookings(lab) and provides_resources(lab)
        assert uses_api(lab)
        company = db.session.merge(people["company"])
        assert not approves_bookings(company) and not provides_resources(company)
        assert not uses_api(company)
