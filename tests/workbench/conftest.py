"""The registration and trading fixtures, for the workbench's queues of those domains."""
from tests.registration.conftest import create, headers, other_org, outsider, registrar, seller, seller_org  # noqa: F401
from tests.trading.conftest import make_demand, world  # noqa: F401
