"""Helpers for the browser tests (Playwright pages on the `live_server`)."""
DEMO_PASSWORD = "demo12345"


def log_in(page, base: str, email: str, password: str = DEMO_PASSWORD):
    """Log in through the login form as a person would, and wait for the page it leads to."""
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def log_out(page):
    """Log out with the header's button, and wait for the page it leads to."""
    page.click("nav.user-nav form button[type=submit]")
    page.wait_for_load_state()


def nav_click(page, label: str) -> None:
    """Click the menu link `label` as a person would: where the menu has no room for it, it sits under
    更多 (static/js/nav.js), which is opened first."""
    link = page.locator("nav.main-nav a", has_text=label).first
    if not link.is_visible():
        page.click("nav.main-nav details.nav-more > summary")
    link.click()
