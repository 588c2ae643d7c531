"""flask filings sweep: warn firms whose annual report is due, suspend those overdue (idempotent)."""

import click
from flask.cli import with_appcontext

from ..core.uow import cli_unit_of_work


@click.group("filings", help="Technology-manager firm filings (技术经理人事务所备案).")
def filings_cli():
    pass


@filings_cli.command("sweep")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Run as if today were this date (Asia/Shanghai), YYYY-MM-DD.")
@with_appcontext
def sweep_command(today):
    """Warn 30 and 7 days before the annual report is due; suspend firms whose report is overdue."""
    from .services import sweep
    with cli_unit_of_work():
        done = sweep(today.date() if today else None)
    click.echo(f"warned (30 days): {done['warn30']}, warned (7 days): {done['warn7']}, suspended: {done['suspended']}")
