"""Online bidding (网络竞价) on the technology market: auction terms, registration with a deposit,
bids under a race, the time extension, close and award (DOMAIN.md, "Online bidding")."""

DEFAULTS = {
    "AUCTIONS_AUTO_CONFIRM": True,   # a received deposit confirms the bidder; False: staff confirm (资格确认)
    "AUCTIONS_POLL_SECONDS": 3,      # how often the page asks for new bids (ETag: 304 when nothing moved)
}


def init_app(app):
    from flask_babel import lazy_gettext as _l

    from ..billing import remittance
    from ..core import nav
    from ..payments import purposes
    from . import models  # noqa: F401  (registers the tables)
    from .cli import auctions_cli
    from .routes import bp
    from .services.deposits import DepositPurpose
    from .services.registrations import DepositRemittance

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    app.register_blueprint(bp)
    app.cli.add_command(auctions_cli)
    remittance.register(DepositRemittance())  # deposits are paid by transfer, matched by their remittance code
    purposes.register(DepositPurpose())  # or by card, up to the gateway's ceiling, on the one payment engine
    from ..catalog.answers import register_answer_field
    from .services.listing import achievement_auction, auction_of
    register_answer_field("auction", achievement_auction)  # GET /resources/ID of an achievement by auction
    app.jinja_env.globals.update(auction_for=auction_of)  # the achievement page's link to its auction
    nav.add_link(_l("竞价审核"), "auctions.review", who=lambda u: u.has_role("reviewer"))
    nav.add_workflow("trading", _l("网络竞价"), "auctions.index")
