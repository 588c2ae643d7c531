"""The registration and trading fixtures, for the workbench's queues of those domains."""
from tests.registration.conftest import (  # noqa: F401
    buyer,
    buyer_org,
    create,
    headers,
    other_org,
    outsider,
    registrar,
    seller,
    seller_org,
)
from tests.trading.conftest import make_demand, world  # noqa: F401
