"""Auction services, split by sub-entity: listing and review, registrations and deposits, bidding,
closing. Entity first, actor keyword-only; they only flush (the caller's unit of work commits)."""
from .bidding import *  # noqa: F403
from .closing import *  # noqa: F403
from .deposits import *  # noqa: F403
from .listing import *  # noqa: F403
from .registrations import *  # noqa: F403
