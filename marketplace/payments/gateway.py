"""A small client for the Stripe-compatible API (Stripe in production, localstripe in tests).

Form-encoded requests with basic auth (secret key as user name), a timeout on every call,
retries on connection errors and 5xx for idempotent calls (GET, or POST with an
Idempotency-Key), and errors mapped to three kinds:

* GatewayUnavailable — the gateway could not be reached (nothing happened there, or we
  cannot know: `maybe_done` tells which; the caller keeps its record and reconciles later);
* CardDeclined — the card was refused (HTTP 402);
* GatewayError — anything else the gateway refused.
"""
import hashlib
import hmac
import time

import requests
from flask import current_app


class GatewayError(Exception):
    def __init__(self, message: str, status: int | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


class GatewayUnavailable(GatewayError):
    def __init__(self, message: str, maybe_done: bool = False):
        super().__init__(message)
        self.maybe_done = maybe_done  # a timeout: the request may have been carried out


class CardDeclined(GatewayError):
    pass


def _flatten(data: dict, prefix: str = "") -> list[tuple[str, str]]:
    """Stripe's form encoding: metadata[k]=v, card[number]=…"""
    out = []
    for key, value in data.items():
        name = f"{prefix}[{key}]" if prefix else key
        if value is None:
            continue
        if isinstance(value, dict):
            out.extend(_flatten(value, name))
        elif isinstance(value, bool):
            out.append((name, "true" if value else "false"))
        else:
            out.append((name, str(value)))
    return out


class Gateway:
    def __init__(self, base_url: str, secret_key: str, timeout: float = 5.0, retries: int = 2,
                 session: requests.Session | None = None):
        self.base_url = base_url.rstrip("/")
        self.secret_key = secret_key
        self.timeout = timeout
        self.retries = retries
        self.session = session or requests.Session()

    @classmethod
    def from_config(cls) -> "Gateway":
        cfg = current_app.config
        factory = cfg.get("PAYMENT_GATEWAY_FACTORY")  # tests may inject a faulty transport
        if factory:
            return factory()
        return cls(cfg["STRIPE_API_BASE"], cfg["STRIPE_SECRET_KEY"], float(cfg["STRIPE_TIMEOUT"]),
                   int(cfg.get("STRIPE_RETRIES", 2)))

    def request(self, method: str, path: str, data: dict | None = None, idempotency_key: str | None = None,
                params: dict | None = None) -> dict:
        headers = {"Stripe-Version": "2020-08-27"}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        retryable = method == "GET" or idempotency_key is not None
        attempts = 1 + (self.retries if retryable else 0)
        last = None
        for attempt in range(attempts):
            if attempt:
                time.sleep(min(0.2 * 2 ** (attempt - 1), 2.0))
            try:
                resp = self.session.request(method, self.base_url + path, data=_flatten(data or {}),
                                            params=params, headers=headers, auth=(self.secret_key, ""),
                                            timeout=self.timeout)
            except requests.Timeout as exc:
                # The gateway may have carried the request out; only an idempotent retry is safe.
                last = GatewayUnavailable(f"timeout: {exc}", maybe_done=True)
                continue
            except requests.RequestException as exc:
                last = GatewayUnavailable(f"connection failed: {exc}",
                                          maybe_done=getattr(last, "maybe_done", False))
                continue
            if resp.status_code >= 500:
                last = GatewayUnavailable(f"gateway error {resp.status_code}", maybe_done=True)
                continue
            try:
                body = resp.json()
            except ValueError:
                raise GatewayError(f"unreadable answer ({resp.status_code})", resp.status_code) from None
            if resp.status_code == 402:
                err = body.get("error") or {}
                # Stripe names the bank's reason in decline_code (insufficient_funds…), the kind in code
                raise CardDeclined(err.get("message") or "card declined", 402,
                                   err.get("decline_code") or err.get("code"))
            if resp.status_code >= 400:
                err = body.get("error") or {}
                raise GatewayError(err.get("message") or f"HTTP {resp.status_code}", resp.status_code,
                                   err.get("code"))
            return body
        raise last

    # -- the calls the platform makes ---------------------------------------------------------------

    def create_payment_intent(self, amount: int, currency: str, idempotency_key: str, metadata: dict) -> dict:
        return self.request("POST", "/v1/payment_intents",
                            {"amount": amount, "currency": currency, "metadata": metadata},
                            idempotency_key=idempotency_key)

    def retrieve_payment_intent(self, pi_id: str) -> dict:
        return self.request("GET", f"/v1/payment_intents/{pi_id}")

    def list_payment_intents(self, limit: int = 100, starting_after: str | None = None) -> dict:
        params = {"limit": limit}
        if starting_after:
            params["starting_after"] = starting_after
        return self.request("GET", "/v1/payment_intents", params=params)

    def create_customer(self, metadata: dict, idempotency_key: str) -> dict:
        return self.request("POST", "/v1/customers", {"metadata": metadata}, idempotency_key=idempotency_key)

    def attach_payment_method(self, pm_id: str, customer_id: str) -> dict:
        return self.request("POST", f"/v1/payment_methods/{pm_id}/attach", {"customer": customer_id})

    def update_payment_intent(self, pi_id: str, **fields) -> dict:
        return self.request("POST", f"/v1/payment_intents/{pi_id}", fields)

    def confirm_payment_intent(self, pi_id: str, idempotency_key: str) -> dict:
        return self.request("POST", f"/v1/payment_intents/{pi_id}/confirm", idempotency_key=idempotency_key)

    def create_refund(self, pi_id: str, amount: int, idempotency_key: str) -> dict:
        return self.request("POST", "/v1/refunds", {"payment_intent": pi_id, "amount": amount},
                            idempotency_key=idempotency_key)


# -- webhook signatures ----------------------------------------------------------------------------

class BadSignature(Exception):
    pass


def sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """A Stripe-Signature header value for payload (used by tests and local tools)."""
    ts = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{ts}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={ts},v1={mac}"


def verify_signature(payload: bytes, header: str | None, secret: str, tolerance: int = 300,
                     now: float | None = None) -> int:
    """Check a Stripe-Signature header: HMAC-SHA256 over "t.payload", t within tolerance."""
    if not header:
        raise BadSignature("missing Stripe-Signature")
    ts = None
    signatures = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t":
            try:
                ts = int(value)
            except ValueError:
                raise BadSignature("bad timestamp") from None
        elif key == "v1":
            signatures.append(value)
    if ts is None or not signatures:
        raise BadSignature("malformed Stripe-Signature")
    now = time.time() if now is None else now
    if abs(now - ts) > tolerance:
        raise BadSignature("timestamp outside the tolerance")
    expected = hmac.new(secret.encode(), f"{ts}.".encode() + payload, hashlib.sha256).hexdigest()
    if not any(hmac.compare_digest(expected, s) for s in signatures):
        raise BadSignature("signature mismatch")
    return ts
