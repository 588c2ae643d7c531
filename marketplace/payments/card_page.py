"""The card page every checkout shares (bookings, bills, deal instalments): the gateway's own script
(Stripe.js, or localstripe's copy of it) takes the card in the browser and hands the platform only the
card's id, which `services.pay_with_payment_method` confirms. The card's number never reaches us."""
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import gettext as _

from ..core.errors import Invalid
from ..core.security import CSP
from ..core.uow import unit_of_work


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


def post_card(form, pay):
    """The card form posted, in one unit of work: a form without the gateway's card id is refused next to
    the card field, else `pay(payment_method_id)` runs. Returns (work, payment)."""
    payment = None
    with unit_of_work(form) as work:
        if not form.validate_on_submit():
            raise Invalid(_("请填写银行卡信息"), {"payment_method": [_("请填写银行卡信息")]})
        payment = pay(form.payment_method.data)
    return work, payment
