"""Where domains plug into shared pages, so no domain edits another's code or a shared template.

In a domain's `init_app(app)`:

    from ..core import nav
    nav.add_link(_l("技术经理人事务所"), "filing.directory", who=nav.EVERYONE)         # header menu
    nav.add_workflow("trading", _l("发布技术需求"), "trading.new_demand", signed_in=True)  # platform buttons
    nav.add_panel("trading", "trading/_platform_panel.html", lambda: {"notices": ...})   # platform section
    nav.set_badge("booking.my_bookings", lambda user: services.count_to_pay(user))         # a count on a link

A link or workflow is shown only when its endpoint exists and `who(user)` accepts the signed-in user.
"""
from collections.abc import Callable
from dataclasses import dataclass, field


def EVERYONE(user) -> bool:  # noqa: N802 (a constant-like predicate)
    return True


@dataclass
class Registry:
    links: list = field(default_factory=list)        # (label, endpoint, who)
    workflows: dict = field(default_factory=dict)    # platform -> [(label, endpoint, args, signed_in)]
    panels: dict = field(default_factory=dict)       # platform -> [(template, context function)]
    badges: dict = field(default_factory=dict)       # endpoint -> count(user) for its header link


REGISTRY = Registry()


def add_link(label, endpoint: str, who: Callable = EVERYONE):
    """A header-menu link for signed-in users whom `who(user)` accepts."""
    if not any(ep == endpoint for _l, ep, _w in REGISTRY.links):
        REGISTRY.links.append((label, endpoint, who))


def add_workflow(platform: str, label, endpoint: str, args: dict | None = None, signed_in: bool = False):
    """An entry-point button on a platform's landing page."""
    entries = REGISTRY.workflows.setdefault(platform, [])
    if not any(ep == endpoint and a == (args or {}) for _l, ep, a, _s in entries):
        entries.append((label, endpoint, args or {}, signed_in))


def add_panel(platform: str, template: str, context: Callable[[], dict]):
    """A section of a platform's landing page: `template` is included with `panel` = context()."""
    panels = REGISTRY.panels.setdefault(platform, [])
    if not any(t == template for t, _c in panels):
        panels.append((template, context))


def set_badge(endpoint: str, badge: Callable):
    """A count shown beside a header link (e.g. bookings to pay): `badge(user)` -> int; 0 shows none."""
    REGISTRY.badges[endpoint] = badge


def badge(endpoint: str, user) -> int:
    count = REGISTRY.badges.get(endpoint)
    return int(count(user) or 0) if count is not None else 0
