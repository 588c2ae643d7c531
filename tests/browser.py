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
