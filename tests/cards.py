"""A card as the gateway's script makes it in the browser (the platform never sees the number)."""
import requests
from flask import current_app


def card_id(number: str = "4242424242424242", *, exp_month: str = "12", exp_year: str = "2030",
            base: str | None = None) -> str:
    """POST the card to the gateway with the publishable key, as Stripe.js (localstripe's copy) does; the
    page gets back only the card's id, which is all a checkout posts to the platform."""
    base = base or current_app.config["STRIPE_API_BASE"]
    resp = requests.post(f"{base}/v1/tokens", data={"key": "pk_test_localstripe", "card[number]": number,
                                                    "card[exp_month]": exp_month, "card[exp_year]": exp_year,
                                                    "card[cvc]": "123"}, timeout=5)
    resp.raise_for_status()
    return resp.json()["card"]["id"]
