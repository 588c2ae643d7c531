"""flask auctions close [--now ISO]"""
from datetime import datetime

import click
from flask.cli import AppGroup

from ..core.timeutil import to_utc_naive
from ..core.uow import cli_unit_of_work

auctions_cli = AppGroup("auctions", help="Online bidding (网络竞价): close ended auctions.")


@auctions_cli.command("close")
@click.option("--now", "now_text", default=None, help="ISO 8601 time with offset (default: now)")
def close_command(now_text):
    """Close ended auctions (award, deal, refunds due, fallback listing) and apply or forfeit winners'
    deposits; idempotent."""
    from .services.closing import close_ended
    now = None
    if now_text:
        try:
            now = to_utc_naive(datetime.fromisoformat(now_text))
        except (ValueError, TypeError):
            raise click.BadParameter("expected an ISO 8601 time with offset, e.g. 2026-12-01T09:00+08:00") from None
    with cli_unit_of_work():
        counts = close_ended(now)
    click.echo(" ".join(f"{k}={v}" for k, v in counts.items()))
