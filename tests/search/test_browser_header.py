"""The header in a real browser, on a desktop (1280×800) and a phone (390×844): the search box's
suggestions open as a dropdown over the page (the box and the header keep their size), the keyboard
works (arrows, Enter, Esc), the menu shows each role what it uses, on one line, and folds behind a
button on the phone; an English query finds the Chinese listing."""
import re

import pytest

from tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
VIEWPORTS = [pytest.param(DESKTOP, id="desktop"), pytest.param(PHONE, id="phone")]


@pytest.fixture
def open_page(browser):
    contexts = []

    def _open(viewport, locale="zh-CN"):
        ctx = browser.new_context(viewport=viewport, locale=locale, timezone_id="Asia/Shanghai",
                                  is_mobile=viewport is PHONE, has_touch=viewport is PHONE)
        contexts.append(ctx)
        pg = ctx.new_page()
        pg.set_default_timeout(15000)
        return pg

    yield _open
    for ctx in contexts:
        ctx.close()


@pytest.fixture
def listings(org, make_resource):
    make_resource("instrument", org, title="场发射扫描电子显微镜", model="SU8010", category_l2="", category_l3="")
    make_resource("instrument", org, title="场发射透射电子显微镜", model="JEM-2100F", category_l2="", category_l3="")
    make_resource("instrument", org, title="X射线衍射仪", model="D8 ADVANCE", category_l2="", category_l3="")


def _box(page, selector):
    b = page.locator(selector).bounding_box()
    return round(b["width"]), round(b["height"])


def _header_height(page):
    return round(page.locator("header.site-header").bounding_box()["height"])


def _log_in(page, base, email):
    log_in(page, base, email)
    assert "/login" not in page.url


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("path, box", [("/", "#q"), ("/search", "#q"), ("/search", "#search-q")])
def test_suggestions_drop_down_without_moving_anything(live_server, open_page, listings, viewport, path, box):
    page = open_page(viewport)
    page.goto(live_server + path)
    size, header = _box(page, box), _header_height(page)
    search_button = page.locator("header.site-header button[type=submit]").first.bounding_box()
    page.locator(box).type("场发射", delay=30)
    listbox = page.locator(f"#{box[1:]}-suggestions")
    listbox.locator("li").first.wait_for()
    assert page.locator(box).get_attribute("aria-expanded") == "true"
    assert page.locator(box).get_attribute("role") == "combobox"
    assert page.locator(box).get_attribute("aria-controls") == f"{box[1:]}-suggestions"
    assert listbox.get_attribute("role") == "listbox" and listbox.locator("li[role=option]").count() == 2
    assert _box(page, box) == size, "the box keeps its width and height"
    assert _header_height(page) == header, "the header keeps its height"
    assert page.locator("header.site-header button[type=submit]").first.bounding_box() == search_button
    # the list lies under the box, as wide as the box, bulletless
    lb, ib = listbox.bounding_box(), page.locator(box).bounding_box()
    assert abs(lb["y"] - (ib["y"] + ib["height"])) <= 4 and lb["x"] >= ib["x"] - 1
    assert listbox.evaluate("el => getComputedStyle(el).position") == "absolute"
    assert listbox.evaluate("el => getComputedStyle(el).listStyleType") == "none"
    if viewport is DESKTOP and box == "#q":
        assert size[0] >= 500, size  # the header box stays wide (it shrank to 200 px before)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_keyboard_picks_a_suggestion_and_escape_closes(live_server, open_page, listings, viewport):
    page = open_page(viewport)
    page.goto(live_server + "/")
    box = page.locator("#q")
    box.type("场发射", delay=30)
    options = page.locator("#q-suggestions li")
    options.first.wait_for()
    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == "q-suggestions-0"
    assert options.nth(0).get_attribute("aria-selected") == "true"
    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == "q-suggestions-1"
    box.press("ArrowUp")
    assert box.get_attribute("aria-activedescendant") == "q-suggestions-0"
    box.press("Escape")
    assert page.locator("#q-suggestions").is_hidden()
    assert box.get_attribute("aria-expanded") == "false" and box.get_attribute("aria-activedescendant") is None
    assert box.input_value() == "场发射"  # Esc closes the list, it does not clear the box
    box.press("ArrowDown")  # reopens
    assert page.locator("#q-suggestions").is_visible()
    chosen = options.nth(0).inner_text()
    box.press("Enter")
    page.wait_for_url(re.compile(r"/resources/\d+$"))
    assert page.locator("h1").inner_text() == chosen


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_english_query_finds_the_chinese_listing(live_server, open_page, listings, viewport):
    page = open_page(viewport, locale="en-US")
    page.goto(live_server + "/lang/en")
    page.locator("#q").fill("electron microscope")
    page.locator("#q").press("Enter")
    page.wait_for_url("**/search?q=electron*")
    hits = page.locator("article.hit")
    assert hits.count() == 2
    text = hits.first.inner_text()
    assert "Nanjing" in text and "南京" not in text and "/hour" in text
    page.locator("#search-q").fill("XRD")
    page.locator("#search-q").press("Enter")
    page.wait_for_url("**/search?q=XRD*")
    assert page.locator("article.hit h3").all_inner_texts() == ["X射线衍射仪"]


@pytest.fixture
def accounts(org, make_org, make_user, make_resource):
    company = make_org(name="无锡感知科技有限公司", kind="enterprise", city="无锡", sme=True)
    make_user(org=company, email="company@demo.cn", name="周经理")
    make_user(org=org, email="lab@demo.cn", name="陈晓峰", org_admin=True)
    make_resource("instrument", org, title="场发射扫描电子显微镜")
    make_user(email="finance@demo.cn", name="财务 李娜", roles=("finance",))
    make_user(email="admin@demo.cn", name="管理员", roles=("admin",))


def _visible_menu_labels(page):
    return [t.strip() for t in page.locator("#site-nav > a:visible").all_inner_texts()]


def test_company_menu_lacks_provider_pages(live_server, open_page, accounts):
    page = open_page(DESKTOP)
    _log_in(page, live_server, "company@demo.cn")
    menu = " ".join(page.locator("#site-nav a").all_text_contents())  # the "more" menu included
    assert "我的预约" in menu
    for label in ("预约审批", "发布资源", "API 令牌"):
        assert label not in menu


@pytest.mark.parametrize("email, locale", [("finance@demo.cn", "zh-CN"), ("admin@demo.cn", "zh-CN"),
                                           ("lab@demo.cn", "zh-CN"), ("admin@demo.cn", "en-US")])
def test_desktop_menu_stays_on_one_line(live_server, open_page, accounts, email, locale):
    page = open_page(DESKTOP, locale=locale)
    if locale == "en-US":
        page.goto(live_server + "/lang/en")
    _log_in(page, live_server, email)
    nav = page.locator("#site-nav")
    tops = {round(b["y"]) for b in (el.bounding_box() for el in nav.locator(":scope > a:visible, :scope > details:visible").all())}
    assert len(tops) == 1, tops
    labels = _visible_menu_labels(page)
    if email == "finance@demo.cn":
        assert "补贴与结算" in labels and "向单位付款" in labels
    if email == "admin@demo.cn":  # the admin holds every role: the rest is under "more"
        more = page.locator("#site-nav details.nav-more")
        assert more.is_visible()
        more.locator("summary").click()
        assert more.locator(".nav-more-menu a").first.is_visible()
        page.keyboard.press("Escape")
        assert not more.evaluate("el => el.open")


def test_phone_menu_is_folded_behind_a_button(live_server, open_page, accounts):
    page = open_page(PHONE)
    _log_in(page, live_server, "lab@demo.cn")
    page.goto(live_server + "/")
    screen = PHONE["height"]
    toggle = page.locator("[data-menu-toggle]")
    assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    assert page.locator("#site-nav").is_hidden() and page.locator("#user-nav").is_hidden()
    header = _header_height(page)
    assert header < 0.15 * screen, header  # the whole header, search box included
    assert page.locator("#q").is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.locator("#site-nav").is_visible() and page.locator("#user-nav").is_visible()
    assert "预约审批" in _visible_menu_labels(page)  # every link is listed in the open menu
    assert page.locator("#site-nav details.nav-more").is_hidden()
    page.locator("#site-nav a", has_text="预约审批").click()
    page.wait_for_url(re.compile(r"/queue"))
    assert page.locator("#site-nav").is_hidden()  # a new page starts folded
    page.locator("[data-menu-toggle]").click()
    page.keyboard.press("Escape")
    assert page.locator("#site-nav").is_hidden()
