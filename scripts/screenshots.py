"""Regenerate docs/screenshots/ from the demo data (`make screenshots`).

Builds everything it needs in a temporary directory and leaves nothing running: a SQLite database
seeded by `seed-demo` (fixed seed), its search index and uploads, a localstripe process and the app
on free loopback ports; then headless Chromium (Playwright, /usr/bin/chromium) visits each page with a
fixed viewport, in Chinese and in English, on a desktop and (for some pages) a 390×844 phone, waits for
the network to go idle and the charts to draw, and saves a PNG.

    python scripts/screenshots.py [--out docs/screenshots] [--resources 600] [--seed 42] [--only home,search]
"""
from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--font-render-hinting=none"]
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}
TALL = 2000  # the most of a dashboard shown
PASSWORD = "demo12345"


@dataclass(frozen=True)
class Shot:
    name: str
    path: str            # may name {instrument} and {booking}
    user: str | None     # demo account to sign in as, or None for a visitor
    phone: bool = False  # also taken on a phone
    full_page: bool = False  # as much of the page as TALL allows


SHOTS = (
    Shot("home", "/", None, phone=True),
    Shot("search", "/search?q=%E8%B4%A8%E8%B0%B1", None),  # 质谱
    Shot("instrument", "/resources/{instrument}", None, phone=True),
    Shot("calendar", "/booking/instruments/{instrument}/calendar", "company@demo.cn"),
    Shot("checkout", "/payments/bookings/{booking}/checkout", "company@demo.cn"),
    Shot("finance-dashboard", "/subsidy/", "finance@demo.cn", full_page=True),
    Shot("census-dashboard", "/census", None, full_page=True),
    # each role's workbench (工作台), the landing page after login, on a desktop and a phone
    Shot("workbench-reviewer", "/workbench", "reviewer@demo.cn", phone=True, full_page=True),
    Shot("workbench-lab", "/workbench", "lab@demo.cn", phone=True, full_page=True),
    Shot("workbench-company", "/workbench", "company@demo.cn", phone=True, full_page=True),
    Shot("workbench-broker", "/workbench", "broker@demo.cn", phone=True, full_page=True),
    Shot("workbench-finance", "/workbench", "finance@demo.cn", phone=True, full_page=True),
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 60.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


def flask(env: dict, *args: str):
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "marketplace", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True)
    if done.returncode:
        sys.stderr.write(done.stdout[-4000:] + done.stderr[-4000:])
        raise SystemExit(f"flask {' '.join(args)} failed ({done.returncode})")


def pick_targets(env: dict) -> dict:
    """The instrument and the booking to show: the demo lab's first bookable instrument, and a booking of
    the demo company that waits for payment (else its latest booking)."""
    code = r"""
import json
from marketplace import create_app
from marketplace.extensions import db
from marketplace.accounts.models import User
from marketplace.booking.models import Booking
from marketplace.catalog.models import Instrument
app = create_app()
with app.app_context():
    lab = db.session.scalar(db.select(User).where(User.email == "lab@demo.cn"))
    company = db.session.scalar(db.select(User).where(User.email == "company@demo.cn"))
    inst = db.session.scalar(db.select(Instrument.id).where(
        Instrument.owner_org_id == lab.organisation_id, Instrument.status == "published",
        Instrument.bookable.is_(True), Instrument.price_unit == "hour").order_by(Instrument.id).limit(1))
    mine = db.select(Booking).where(Booking.org_id == company.organisation_id)
    due = [b for b in db.session.scalars(mine.where(Booking.status == "completed").order_by(Booking.id))
           if b.amount_due > 0]
    booking = due[0].id if due else db.session.scalar(mine.with_only_columns(Booking.id)
                                                      .order_by(Booking.id.desc()).limit(1))
    print(json.dumps({"instrument": inst, "booking": booking}))
"""
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    import json
    return json.loads(out.stdout.strip().splitlines()[-1])


def sign_in(page, base: str, email: str):
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")  # the login form's own submit, not the header search's
    if "/login" in page.url.split("?")[0]:
        raise RuntimeError(f"could not sign in as {email}")


def settle(page):
    """Wait until the page is quiet: no requests in flight, fonts loaded, charts finished animating."""
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts ? document.fonts.ready.then(() => true) : true")
    page.wait_for_timeout(900)


def with_lang(path: str, lang: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}lang={lang}"


def take(browser, base: str, shots, targets: dict, out: Path, lang: str, viewport: dict, suffix: str):
    by_user: dict[str | None, list[Shot]] = {}
    for shot in shots:
        by_user.setdefault(shot.user, []).append(shot)
    for user, group in by_user.items():
        context = browser.new_context(viewport=viewport, device_scale_factor=1, reduced_motion="reduce",
                                      locale="zh-CN" if lang == "zh" else "en-US", timezone_id="Asia/Shanghai",
                                      is_mobile=viewport is PHONE, has_touch=viewport is PHONE)
        page = context.new_page()
        page.set_default_timeout(30_000)
        try:
            if user:
                sign_in(page, base, user)
            page.goto(f"{base}/lang/{lang}")  # the session's language, kept across redirects (?lang= is not)
            for shot in group:
                path = shot.path.format(**targets)
                resp = page.goto(base + with_lang(path, lang))
                if resp is None or resp.status >= 400 or "/login" in page.url.split("?")[0]:
                    raise RuntimeError(f"{shot.name}: {path} answered {resp and resp.status} at {page.url}")
                settle(page)
                target = out / f"{shot.name}-{lang}{suffix}.png"
                if shot.full_page:  # dashboards: the charts and the first rows of the tables, not all of it
                    height = page.evaluate("document.documentElement.scrollHeight")
                    page.set_viewport_size({"width": viewport["width"], "height": min(height, TALL)})
                    settle(page)
                page.screenshot(path=str(target), animations="disabled")
                page.set_viewport_size(viewport)
                print(f"  {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target} "
                      f"({target.stat().st_size // 1024} KB)")
        finally:
            context.close()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    ap.add_argument("--resources", type=int, default=600)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--only", default="", help="comma-separated shot names (default: all)")
    args = ap.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"chromium not found at {CHROMIUM} (apt-get install chromium)", file=sys.stderr)
        return 2
    fonts = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True).stdout \
        if shutil.which("fc-list") else ""
    if not fonts.strip():  # Chinese would be drawn as empty boxes
        print("no Chinese font found by fontconfig (apt-get install fonts-noto-cjk)", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    shots = [s for s in SHOTS if not args.only or s.name in args.only.split(",")]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    procs: list[subprocess.Popen] = []
    with tempfile.TemporaryDirectory(prefix="screenshots-") as tmp:
        tmp = Path(tmp)
        stripe_port, app_port = free_port(), free_port()
        env = {**os.environ,
               "DATABASE_URL": f"sqlite:///{tmp / 'demo.db'}", "SEARCH_INDEX_DIR": str(tmp / "index"),
               "UPLOAD_DIR": str(tmp / "uploads"), "SECRET_KEY": "screenshots-not-secret-but-32-bytes-long",
               "STRIPE_API_BASE": f"http://127.0.0.1:{stripe_port}", "STRIPE_SECRET_KEY": "sk_test_screenshots",
               "STRIPE_WEBHOOK_SECRET": "whsec_screenshots", "FLASK_DEBUG": "0", "PYTHONHASHSEED": "0"}
        env.pop("TEST_DATABASE_URL", None)
        try:
            print(f"seeding {args.resources} demo resources (seed {args.seed}) in {tmp} …")
            flask(env, "init-db")
            flask(env, "seed-demo", "--resources", str(args.resources), "--seed", str(args.seed))
            flask(env, "search", "rebuild")
            targets = pick_targets(env)
            procs.append(subprocess.Popen([sys.executable, "-m", "marketplace.core.localstripe_server", "--port",
                                           str(stripe_port)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL))
            procs.append(subprocess.Popen([sys.executable, "-m", "flask", "--app", "marketplace", "run", "--host",
                                           "127.0.0.1", "--port", str(app_port)],
                                          cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            wait_for_port(stripe_port)
            wait_for_port(app_port)
            base = f"http://127.0.0.1:{app_port}"
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
                try:
                    for lang in ("zh", "en"):
                        take(browser, base, shots, targets, out, lang, DESKTOP, "")
                        take(browser, base, [s for s in shots if s.phone], targets, out, lang, PHONE, "-phone")
                finally:
                    browser.close()
        finally:
            for proc in reversed(procs):
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
