"""The card page every checkout shares (bookings, bills, deal instalments): the gateway's own script
(Stripe.js, or localstripe's copy of it) takes the card in the browser and hands the platform only the
card's id, which `services.pay_with_payment_method` confirms. The card's number never reaches us."""
from urllib.parse import urlsplit

from flask import current_app, render_template

from ..core.security import CSP


def gateway_js() -> str:
    return current_app.config.get("STRIPE_JS_URL") or current_app.config["STRIPE_API_BASE"].rstrip("/") + "/js.stripe.com/v3/"


def card_csp(js_url: str) -> str:
    """The page CSP, widened for the gateway: its script runs here and sends the card to it."""
    parts = urlsplit(js_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    api = urlsplit(current_app.config["STRIPE_API_BASE"])
    api_origin = f"{api.scheme}://{api.netloc}"
    return (CSP.replace("script-src 'self'", f"script-src 'self' {origin}")
            .replace("connect-src 'self'", f"connect-src 'self' {api_origin}"))


def render_card_page(template: str, status: int = 200, **context):
    """A page with the card form (templates/payments/_card_form.html), its script allowed by the CSP."""
    js = gateway_js()
    resp = current_app.make_response((render_template(
        template, gateway_js=js, publishable_key=current_app.config["STRIPE_PUBLISHABLE_KEY"], **context), status))
    resp.headers["Content-Security-Policy"] = card_csp(js)
    return resp
