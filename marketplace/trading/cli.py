"""flask trading sweep (instalment payments are reconciled by `flask payments reconcile`)"""
from datetime import datetime

import click
from flask.cli import AppGroup

from ..core.timeutil import to_utc_naive
from ..core.uow import cli_unit_of_work

trading_cli = AppGroup("trading", help="Technology trading (技术交易): the scheduled sweep.")


@trading_cli.command("sweep")
@click.option("--now", "now_text", default=None, help="ISO 8601 time with offset (default: now)")
def sweep_command(now_text):
    """End notices that ran their course, expire demands, remind instalments, send new matches."""
    from .services.sweep import sweep
    now = None
    if now_text:
        try:
            now = to_utc_naive(datetime.fromisoformat(now_text))
        except (ValueError, TypeError):
            raise click.BadParameter("expected an ISO 8601 time with offset, e.g. 2026-12-01T09:00+08:00") from None
    with cli_unit_of_work():
        counts = sweep(now)
    click.echo(" ".join(f"{k}={v}" for k, v in counts.items()))
