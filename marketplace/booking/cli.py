"""`flask booking mark-no-shows` and `flask booking send-reminders` (run from a scheduler).

The no-show sweep is the only writer of no-shows and lapsed requests: pages only show them."""
import click
from flask.cli import AppGroup

from ..core.uow import cli_unit_of_work

booking_cli = AppGroup("booking", help="Instrument booking (仪器预约)")


@booking_cli.command("mark-no-shows")
def mark_no_shows_command():
    """Mark approved bookings with no check-in 30 min after the start as no-shows."""
    from .services import mark_no_shows
    with cli_unit_of_work():
        count = mark_no_shows()
    click.echo(f"marked {count} overdue booking(s)")


@booking_cli.command("send-reminders")
def send_reminders_command():
    """Remind users of tomorrow's approved bookings (each booking is reminded once)."""
    from .services import send_reminders
    with cli_unit_of_work():
        count = send_reminders()
    click.echo(f"sent {count} reminder(s)")


@booking_cli.command("remind-qualifications")
def remind_qualifications_command():
    """Remind users whose instrument qualification ends within 30 days to renew it (once per expiry)."""
    from .services import remind_expiring
    with cli_unit_of_work():
        count = remind_expiring()
    click.echo(f"sent {count} renewal reminder(s)")
