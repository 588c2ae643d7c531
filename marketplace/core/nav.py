"""Where domains plug into shared pages, so no domain edits another's code or a shared template.

In a domain's `init_app(app)`:

    from ..core import nav
    nav.add_link(_l("技术经理人事务所"), "filing.directory", who=nav.EVERYONE)         # header menu
    nav.add_link(_l("我的预约"), "booking.my_bookings", who=nav.org_member,
                 badge=lambda user: services.count_to_pay(user), priority=10)        # with a count
    nav.add_workflow("trading", _l("发布技术需求"), "trading.new_demand", signed_in=True)  # platform buttons
    nav.add_panel("trading", "trading/_platform_panel.html", lambda: {"notices": ...})   # platform section
    nav.set_badge("booking.my_bookings", lambda user: services.count_to_pay(user))         # a count on a link

A link or workflow is shown only when its endpoint exists and `who(user)` accepts the signed-in user
(give it the same check the service applies, so nobody is shown a page that refuses them).
`badge(user)` returns a number (or None) shown next to the label; 0 and None show nothing.
Links are listed by `priority` (lower first, then registration order); on a narrow header the last
ones move into a "more" menu, so give what a role uses daily a low number.
"""
from collections.abc import Callable
from dataclasses import dataclass, field


def EVERYONE(user) -> bool:  # noqa: N802 (a constant-like predicate)
    return True


# -- predicates shared by several links ----------------------------------------------------------

STAFF_ROLES = ("admin", "reviewer", "finance")


def org_member(user) -> bool:
    """Acts for an organisation (books, lists, applies). Platform staff (reviewers, finance, admins)
    belong to the centre's own organisation but work from their staff menu, so theirs stays short."""
    if getattr(user, "organisation_id", None) is None:
        return False
    return not any(role in STAFF_ROLES for role in getattr(user, "roles", ()) or ())


def has_role(role: str) -> Callable:
    """A predicate: the user holds a platform role (an admin holds every role)."""
    def check(user) -> bool:
        return user.has_role(role)
    check.__name__ = f"has_role_{role}"
    return check


def remember(name: str, user, compute: Callable):
    """compute() once per request for this user and name (a predicate that needs the database)."""
    from flask import g
    key = f"_nav_{name}_{user.id}"
    if key not in g:
        setattr(g, key, compute())
    return getattr(g, key)


def any_of(*predicates: Callable) -> Callable:
    def check(user) -> bool:
        return any(p(user) for p in predicates)
    return check


@dataclass(frozen=True)
class Link:
    label: object
    endpoint: str
    who: Callable = EVERYONE
    badge: Callable | None = None
    priority: int = 50


@dataclass(frozen=True)
class NavItem:
    """A link as one user sees it."""
    label: object
    endpoint: str
    badge: int | None = None


@dataclass
class Registry:
    links: list = field(default_factory=list)        # [Link]
    workflows: dict = field(default_factory=dict)    # platform -> [(label, endpoint, args, signed_in)]
    panels: dict = field(default_factory=dict)       # platform -> [(template, context function)]
    badges: dict = field(default_factory=dict)       # endpoint -> count(user) for its header link


REGISTRY = Registry()


def add_link(label, endpoint: str, who: Callable = EVERYONE, *, badge: Callable | None = None,
             priority: int = 50):
    """A header-menu link for signed-in users whom `who(user)` accepts; `badge(user)` -> a count."""
    if not any(link.endpoint == endpoint for link in REGISTRY.links):
        REGISTRY.links.append(Link(label, endpoint, who, badge, priority))


def set_badge(endpoint: str, badge: Callable):
    """A count beside a header link (e.g. bookings to pay): `badge(user)` -> int; 0 and None show nothing.

    The link may be registered before or after this call (links_for looks the count up by endpoint)."""
    REGISTRY.badges[endpoint] = badge


def links_for(user, endpoints) -> list[NavItem]:
    """The links `user` may use, most used first; links to absent endpoints are left out."""
    ordered = sorted(enumerate(REGISTRY.links), key=lambda pair: (pair[1].priority, pair[0]))
    out = []
    for _i, link in ordered:
        if link.endpoint not in endpoints or not link.who(user):
            continue
        count_of = link.badge or REGISTRY.badges.get(link.endpoint)
        count = count_of(user) if count_of else None
        out.append(NavItem(link.label, link.endpoint, count or None))
    return out


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
