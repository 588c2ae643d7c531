"""`flask subsidy settle --programme ID --period 2026Q4` and `flask subsidy trial-balance`."""
import click
from flask.cli import AppGroup

subsidy_cli = AppGroup("subsidy", help="Subsidy (补贴)")


@subsidy_cli.command("settle")
@click.option("--programme", "programme_id", type=int, required=True)
@click.option("--period", required=True, help="e.g. 2026Q4")
def settle_command(programme_id, period):
    """Provider-side settlement of one period (idempotent: a second run changes nothing)."""
    from ..core.money import format_fen
    from ..core.uow import cli_unit_of_work
    from .services import get_programme
    from .services.settlement import settle_period

    with cli_unit_of_work():
        settlement, created = settle_period(get_programme(programme_id), period, actor=None, system=True)
        lines, income, computed = len(settlement.lines), settlement.income, settlement.computed
        awarded, prorated, name = settlement.awarded, settlement.prorated, settlement.period
    state = "settled" if created else "already settled (nothing changed)"
    click.echo(f"{name}: {state}; providers={lines} income={format_fen(income)} "
               f"computed={format_fen(computed)} awarded={format_fen(awarded)}{' (pro-rated)' if prorated else ''}")


@subsidy_cli.command("trial-balance")
def trial_balance_command():
    """Print the ledger's trial balance."""
    from ..ledger import trial_balance
    tb = trial_balance()
    for name, balance in tb["accounts"].items():
        click.echo(f"{name:28} {balance:>18}")
    click.echo(f"{'total debits':28} {tb['total_debits']:>18}\n{'total credits':28} {tb['total_credits']:>18}")
