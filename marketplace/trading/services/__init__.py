"""Trading services, split by sub-entity: demands, matching, deals, payments, sweep.

Every function takes the entity first and the actor keyword-only, checks permission first, raises
core.errors and only flushes; times come in as `now=` so tests can set the clock.
"""
from .awards import *  # noqa: F403
from .brokers import active_broker_firm, is_broker  # noqa: F401
from .contract import *  # noqa: F403
from .deal_lists import *  # noqa: F403
from .deals import *  # noqa: F403
from .demands import *  # noqa: F403
