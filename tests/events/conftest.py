from tests.events.fixtures import make_event, people, staff  # noqa: F401
from tests.requests.conftest import world  # noqa: F401  (a company and listings for event follow-ups)
