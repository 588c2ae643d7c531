"""`flask billing close --month YYYY-MM`, `flask billing sweep` and `flask bank import FILE`."""
from pathlib import Path

import click
from flask.cli import AppGroup

from ..core.uow import cli_unit_of_work

billing_cli = AppGroup("billing", help="Monthly bills (对账单)")
bank_cli = AppGroup("bank", help="Bank statements (银行对账单)")


@billing_cli.command("close")
@click.option("--month", required=True, help="e.g. 2026-11")
def close_command(month):
    """Close each paying organisation's bill for MONTH (idempotent: a second run adds nothing)."""
    from ..core.money import format_fen
    from .services.bills import close_month

    with cli_unit_of_work():
        report = close_month(month)
        made = [(b.id, b.org_id, b.total, b.remittance_code, b.due_on) for b in report.bills]
    for bill_id, org_id, total, code, due_on in made:
        click.echo(f"bill {bill_id} org {org_id} {format_fen(total)} due {due_on} code {code}")
    click.echo(f"{report.period}: {len(made)} bills closed, total {format_fen(sum(m[2] for m in made))}; "
               f"{report.skipped} already closed")


@billing_cli.command("sweep")
def sweep_command():
    """Close last month if not yet closed, mark overdue bills, send due reminders (the daily job)."""
    from .services.sweeps import daily

    with cli_unit_of_work():
        counts = daily()
    click.echo(" ".join(f"{k}={v}" for k, v in counts.items()))


@bank_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["csv", "camt053"]), default=None,
              help="guessed from the content when absent")
def import_command(file, fmt):
    """Import a bank statement FILE; the same file twice changes nothing."""
    from flask import current_app

    from .services.bank import import_statement

    limit = int(current_app.config["BANK_STATEMENT_MAX_BYTES"])
    if file.stat().st_size > limit:
        raise click.ClickException(f"{file}: larger than {limit // (1024 * 1024)} MB")
    with cli_unit_of_work():
        report = import_statement(file.read_bytes(), filename=file.name, fmt=fmt, actor=None, system=True)
    note = " (already imported: nothing changed)" if report.already_imported else ""
    click.echo(f"lines={report.lines} matched={report.matched} queued={report.queued} "
               f"duplicates={report.duplicates}{note}")
