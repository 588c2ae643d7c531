"""`flask payments reconcile`: settle payments whose outcome was lost."""
import click
from flask.cli import AppGroup

payments_cli = AppGroup("payments", help="Payments (支付)")


@payments_cli.command("reconcile")
@click.option("--limit", default=500, show_default=True, help="payments checked in one run")
def reconcile_command(limit):
    """Ask the gateway about payments in doubt and settle the succeeded ones (once).

    Each payment is its own unit of work (see payments.services.reconcile)."""
    from .services import reconcile
    counts = reconcile(limit=limit)
    click.echo(" ".join(f"{k}={v}" for k, v in counts.items()))
