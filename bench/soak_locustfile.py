"""The soak's users (locust): run by bench/soak.py, which sets SOAK_* and reads SOAK_EVENTS.

The mix follows the demo data's traffic: most people browse and search, fewer look at instrument
calendars, fewer still book (a company), decide (the lab) or upload documents; integrators read the
API with tokens. Every request is appended to SOAK_EVENTS as one JSON line (time, class, status,
milliseconds, Retry-After present) and every acknowledged write (201 booking, 201 upload) as an "ack"
line, so the orchestrator can split phases by the fault timeline and check that nothing acknowledged
was lost.
"""
import itertools
import json
import os
import random
import re
import time
from datetime import UTC, datetime, timedelta

from locust import HttpUser, between, events, task
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

EVENTS = open(os.environ.get("SOAK_EVENTS", "soak-events.jsonl"), "a", buffering=1)  # noqa: SIM115
INSTRUMENTS = [int(i) for i in os.environ.get("SOAK_INSTRUMENTS", "").split(",") if i]
LAB_INSTRUMENTS = {int(i) for i in os.environ.get("SOAK_LAB_INSTRUMENTS", "").split(",") if i}
ACHIEVEMENTS = [int(i) for i in os.environ.get("SOAK_ACHIEVEMENTS", "").split(",") if i]
RESOURCES = [int(i) for i in os.environ.get("SOAK_RESOURCES", "").split(",") if i]
COMPANY_TOKEN = os.environ.get("SOAK_COMPANY_TOKEN", "")
LAB_TOKEN = os.environ.get("SOAK_LAB_TOKEN", "")
PAYERS = json.loads(os.environ.get("SOAK_PAYERS", "[]"))  # [{email, token, bills, bookings}]
PASSWORD = os.environ.get("SOAK_PASSWORD", "")
GATEWAY = os.environ.get("STRIPE_API_BASE", "")
PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY", "pk_test_localstripe")
CARD = {"number": "4242424242424242", "exp_month": "12", "exp_year": "2030", "cvc": "123"}
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_payers = itertools.cycle(PAYERS) if PAYERS else None
MODES = ["transfer", "licence", "equity", "co_development"]  # an achievement offers some of them
QUERIES = ["显微镜", "质谱", "南京", "材料", "检测", "色谱", "光谱", "基因", "microscope", "苏州"]
PDF = b"%PDF-1.4\n" + b"soak document\n" * 40 + b"%%EOF\n"
THINK = between(float(os.environ.get("SOAK_THINK_MIN", "2")), float(os.environ.get("SOAK_THINK_MAX", "8")))
requested: list[int] = []  # bookings waiting for the lab@demo.cn (shared by this process's users)


@events.request.add_listener
def _record(request_type, name, response_time, response_length, response=None, exception=None, **kw):
    status = getattr(response, "status_code", 0) if response is not None else 0
    retry = bool(response is not None and response.headers.get("Retry-After"))
    EVENTS.write(json.dumps({"t": time.time(), "name": name, "status": status, "ms": round(response_time, 1),
                             "retry_after": retry, "error": str(exception)[:120] if exception else None}) + "\n")


def _ack(kind, ident):
    EVENTS.write(json.dumps({"t": time.time(), "ack": kind, "id": ident}) + "\n")


def _ok(resp, *expected):
    """Business answers (409 overlap, 422) are not failures of the platform; mark them successful."""
    if resp.status_code in expected:
        resp.success()


def _csrf(resp) -> str | None:
    found = CSRF.search(resp.text or "")
    return found.group(1) if found else None


class Visitor(HttpUser):
    """A user whose client behaves as a browser does when the server closes a kept-alive connection at the
    moment it is reused (gunicorn's `keepalive` ends idle ones while think time runs): an idempotent
    request is sent once more on a fresh connection. Nothing else is retried, and the time of both tries
    is what the request costs."""
    abstract = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        retry = Retry(total=1, connect=1, read=1, status=0, other=0, redirect=5,
                      allowed_methods=frozenset({"GET", "HEAD"}), raise_on_status=False)
        self.client.mount("http://", HTTPAdapter(max_retries=retry))


class Browser(Visitor):
    """Anonymous visitors: home, lists, search with autocomplete, resource pages."""
    weight = 10
    wait_time = THINK

    @task(3)
    def home(self):
        self.client.get("/", name="page: home")

    @task(3)
    def search(self):
        q = random.choice(QUERIES)
        self.client.get(f"/api/v1/search/suggest?q={q[:1]}", name="api: suggest")
        self.client.get(f"/search?q={q}", name="page: search")

    @task(2)
    def listing(self):
        self.client.get(f"/resources?page={random.randint(1, 5)}", name="page: resources")

    @task(3)
    def resource(self):
        if RESOURCES:
            with self.client.get(f"/resources/{random.choice(RESOURCES)}", name="page: resource",
                                 catch_response=True) as resp:
                _ok(resp, 404)


def _week():
    start = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=2)
    return start, start + timedelta(days=7)


class CalendarViewer(Visitor):
    """People comparing instruments: calendars (free intervals)."""
    weight = 4
    wait_time = THINK

    @task
    def calendar(self):
        if INSTRUMENTS:
            start, end = _week()
            self.client.get(f"/api/v1/instruments/{random.choice(INSTRUMENTS)}/availability",
                            params={"from": start.isoformat(), "to": end.isoformat()}, name="api: availability")


class Company(Visitor):
    """A company booking instruments by API token: availability, a booking, sometimes a cancellation,
    and a document upload now and then."""
    weight = 2
    wait_time = THINK

    def on_start(self):
        self.client.headers["Authorization"] = f"Bearer {COMPANY_TOKEN}"

    @task(4)
    def book(self):
        if not INSTRUMENTS:
            return
        instrument = random.choice(INSTRUMENTS)
        start, end = _week()
        resp = self.client.get(f"/api/v1/instruments/{instrument}/availability",
                               params={"from": start.isoformat(), "to": end.isoformat()}, name="api: availability")
        if resp.status_code != 200:
            return
        free = [i for i in resp.json().get("free", [])]
        if not free:
            return
        interval = random.choice(free)
        begin = datetime.fromisoformat(interval["start"])
        body = {"instrument_id": instrument, "start": begin.isoformat(),
                "end": (begin + timedelta(minutes=60)).isoformat(), "purpose": "soak 压力测试"}
        with self.client.post("/api/v1/bookings", json=body, name="api: create booking", catch_response=True) as r:
            if r.status_code == 201:
                booking = r.json()["id"]
                _ack("booking", booking)
                # the lab decides requests for its own instruments; the company cancels some of the rest
                lab_decides = instrument in LAB_INSTRUMENTS and random.random() < 0.7
                (requested if lab_decides else self.mine).append(booking)
            _ok(r, 409, 422)

    @task(1)
    def cancel(self):
        if self.mine:
            booking = self.mine.pop()
            with self.client.post(f"/api/v1/bookings/{booking}/cancel", json={"reason": "soak"},
                                  name="api: cancel booking", catch_response=True) as r:
                _ok(r, 409)

    @task(1)
    def upload(self):
        with self.client.post("/api/v1/uploads", files={"file": ("soak.pdf", PDF, "application/pdf")},
                              name="api: upload", catch_response=True) as r:
            if r.status_code == 201:
                _ack("upload", r.json()["id"])

    def on_stop(self):
        self.mine.clear()

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.mine: list[int] = []


class Lab(Visitor):
    """The lab deciding booking requests by API token."""
    weight = 1
    wait_time = THINK

    def on_start(self):
        self.client.headers["Authorization"] = f"Bearer {LAB_TOKEN}"

    @task
    def decide(self):
        if not requested:
            return
        booking = requested.pop(0)
        action = "approve" if random.random() < 0.8 else "reject"
        body = {} if action == "approve" else {"reason": "soak"}
        with self.client.post(f"/api/v1/bookings/{booking}/{action}", json=body, name=f"api: {action} booking",
                              catch_response=True) as r:
            _ok(r, 409)


class Integrator(Visitor):
    """A partner system reading the API with a token."""
    weight = 2
    wait_time = THINK

    def on_start(self):
        self.client.headers["Authorization"] = f"Bearer {LAB_TOKEN}"

    @task
    def read(self):
        self.client.get(f"/api/v1/resources?page={random.randint(1, 3)}&per_page=20", name="api: resources")


class Trader(Visitor):
    """A company in technology trading by API token: reads demands, starts deals on listed achievements."""
    weight = 1
    wait_time = THINK

    def on_start(self):
        self.client.headers["Authorization"] = f"Bearer {COMPANY_TOKEN}"

    @task(2)
    def demands(self):
        self.client.get(f"/api/v1/demands?q={random.choice(QUERIES)}", name="api: demands")

    @task(1)
    def deal(self):
        if not ACHIEVEMENTS:
            return
        body = {"achievement_id": random.choice(ACHIEVEMENTS), "mode": random.choice(MODES),
                "amount": random.randint(10, 500) * 100_000, "message": "soak 洽谈"}
        with self.client.post("/api/v1/deals", json=body, name="api: start deal", catch_response=True) as r:
            if r.status_code == 201:
                _ack("deal", r.json()["id"])
            _ok(r, 409, 422)


class Payer(Visitor):
    """An organisation settling what it owes, by card through the gateway as the product does it: its
    bills by API (the gateway's script turns the card into a token with the publishable key; the
    platform confirms with the token's id only), a completed booking on the web checkout page (signed
    in, the gateway's script makes the card's id and only that id is posted to the platform). Between payments it
    reads its bills. Acknowledged payments are recorded: each must end settled exactly once."""
    weight = 1
    wait_time = THINK

    def on_start(self):
        self.payer = next(_payers) if _payers else None
        self.signed_in = False
        self.api = {"Authorization": f"Bearer {self.payer['token']}"} if self.payer else {}

    def _sign_in(self) -> bool:
        if self.signed_in:
            return True
        page = self.client.get("/login", name="page: login")
        token = _csrf(page)
        if not token:
            return False
        resp = self.client.post("/login", name="page: login", allow_redirects=False,
                                data={"email": self.payer["email"], "password": PASSWORD, "csrf_token": token})
        self.signed_in = resp.status_code == 302
        return self.signed_in

    @task(3)
    def bills(self):
        if not self.payer:
            return
        resp = self.client.get("/api/v1/bills", name="api: bills", headers=self.api)
        if resp.status_code == 200 and resp.json().get("items"):
            bill = random.choice(resp.json()["items"])["id"]
            self.client.get(f"/api/v1/bills/{bill}", name="api: bill", headers=self.api)

    @task(1)
    def pay_bill(self):
        if not (self.payer and self.payer["bills"]):
            return
        bill = self.payer["bills"].pop()
        card = self._card_token()
        if card is None:
            self.payer["bills"].append(bill)  # the gateway is away: try later
            return
        with self.client.post(f"/api/v1/bills/{bill}/pay", json={"payment_method": card}, name="api: pay bill", headers=self.api,
                              catch_response=True) as r:
            if r.status_code == 200 and r.json().get("status") == "paid":
                _ack("bill_paid", bill)
            elif r.status_code == 503:
                self.payer["bills"].append(bill)
            _ok(r, 409, 422)

    @task(1)
    def pay_booking(self):
        if not (self.payer and self.payer["bookings"]) or not self._sign_in():
            return
        booking = self.payer["bookings"].pop()
        page = self.client.get(f"/payments/bookings/{booking}/checkout", name="page: checkout")
        token = _csrf(page)
        if page.status_code != 200 or not token:
            return
        card = self._card_token()
        if card is None:
            self.payer["bookings"].append(booking)  # the gateway is away: try later
            return
        with self.client.post(f"/payments/bookings/{booking}/checkout", name="page: pay booking", allow_redirects=False,
                              data={"payment_method": card, "csrf_token": token},
                              catch_response=True) as r:
            if r.status_code == 302 and "/receipt" in r.headers.get("Location", ""):
                _ack("booking_paid", booking)
            elif r.status_code == 503:
                self.payer["bookings"].append(booking)
            _ok(r, 409, 422)

    def _card_token(self) -> str | None:
        """What the gateway's script does in the browser (not timed: it is the gateway's request)."""
        import requests
        try:
            resp = requests.post(f"{GATEWAY}/v1/tokens", timeout=5, data={
                "key": PUBLISHABLE_KEY, "card[number]": CARD["number"], "card[exp_month]": CARD["exp_month"],
                "card[exp_year]": CARD["exp_year"], "card[cvc]": CARD["cvc"]})
            return resp.json()["card"]["id"] if resp.status_code == 200 else None
        except (requests.RequestException, ValueError, KeyError):
            return None
