"""The search page in a real browser: autocomplete as the user types, results with marks."""
import pytest


@pytest.mark.browser
@pytest.mark.slow
def test_autocomplete_and_results_in_the_browser(live_server, page, org, make_resource):
    make_resource("instrument", org, title="场发射透射电子显微镜", model="JEM-2100F")
    make_resource("instrument", org, title="<b>加粗</b>透射电镜样品杆")
    page.goto(f"{live_server}/search")
    box = page.locator("#search-q")
    box.type("透射电", delay=30)
    options = page.locator("#search-q-suggestions li")
    options.first.wait_for()
    texts = options.all_text_contents()
    assert "场发射透射电子显微镜" in texts
    assert "<b>加粗</b>透射电镜样品杆" in texts  # titles are text, never markup
    box.fill("JEM-2100F")
    box.press("Enter")
    page.wait_for_url("**/search?q=JEM-2100F*")
    assert page.locator("article.hit h3").first.text_content().strip() == "场发射透射电子显微镜"
    assert page.locator("article.hit mark").count() >= 1
