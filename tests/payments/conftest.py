"""Payment tests reuse the subsidy world; the gateway is a REAL localstripe process (tests/conftest.py)."""
import pytest
import requests

from marketplace.payments.gateway import Gateway
from tests.subsidy.conftest import World


@pytest.fixture
def world(app, make_org, make_user, make_resource):
    w = World(make_org, make_user, make_resource)
    w.new_programme()
    return w


@pytest.fixture
def gateway_up(app, localstripe):
    app.config["STRIPE_API_BASE"] = localstripe
    return localstripe


class LosingSession(requests.Session):
    """Carries requests out for real, then loses the answer of those `lose(method, url)` picks:
    the gateway did the work, the platform never heard back (a timeout)."""

    def __init__(self, lose):
        super().__init__()
        self.lose = lose
        self.lost = 0

    def request(self, method, url, *args, **kwargs):
        resp = super().request(method, url, *args, **kwargs)
        if self.lose(method, url):
            self.lost += 1
            raise requests.Timeout("answer lost (simulated)")
        return resp


@pytest.fixture
def lose_answers(app, gateway_up):
    """Install a gateway whose chosen answers are lost; returns the session (set .lose)."""
    session = LosingSession(lambda m, u: False)
    cfg = app.config
    app.config["PAYMENT_GATEWAY_FACTORY"] = lambda: Gateway(cfg["STRIPE_API_BASE"], cfg["STRIPE_SECRET_KEY"],
                                                            2.0, 1, session=session)
    yield session
    app.config.pop("PAYMENT_GATEWAY_FACTORY", None)
