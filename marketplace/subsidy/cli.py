"""`flask subsidy settle --programme ID --period 2026Q4` and `flask subsidy trial-balance`."""
import click
from flask.cli import AppGroup

subsidy_cli = AppGroup("subsidy", help="补贴 / subsidy")


@subsidy_cli.command("settle")
@click.option("--programme", "programme_id", type=int, required=True)
@click.option("--period", required=True, help="e.g. 2026Q4")
def settle_command(programme_id, period):
    """Provider-side settlement of one period (idempotent: a second run changes nothing)."""
    from ..core.db import writing
    from ..core.errors import DomainError
    from ..core.money import format_fen
    from ..extensions import db
    from .services import get_programme
    from .settlement import settle_period

    db.session.rollback()
    with writing():
        try:
            prog = get_programme(programme_id)
            settlement, created = settle_period(prog, period, None, system=True)
            db.session.commit()
        except DomainError as err:
            db.session.rollback()
            raise click.ClickException(err.detail) from None
    state = "settled" if created else "already settled (nothing changed)"
    click.echo(f"{settlement.period}: {state}; providers={len(settlement.lines)} income={format_fen(settlement.income)} "
               f"computed={format_fen(settlement.computed)} awarded={format_fen(settlement.awarded)}"
               f"{' (pro-rated)' if settlement.prorated else ''}")


@subsidy_cli.command("trial-balance")
def trial_balance_command():
    """Print the ledger's trial balance."""
    from ..ledger import trial_balance
    tb = trial_balance()
    for name, balance in tb["accounts"].items():
        click.echo(f"{name:28} {balance:>18}")
    click.echo(f"{'total debits':28} {tb['total_debits']:>18}\n{'total credits':28} {tb['total_credits']:>18}")
