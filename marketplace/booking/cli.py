"""`flask booking mark-no-shows` and `flask booking send-reminders` (run from a scheduler)."""
import click
from flask.cli import AppGroup

from ..core.db import writing
from ..extensions import db

booking_cli = AppGroup("booking", help="仪器预约 / instrument booking")


@booking_cli.command("mark-no-shows")
def mark_no_shows_command():
    """Mark approved bookings with no check-in 30 min after the start as no-shows."""
    from .services import mark_no_shows
    db.session.commit()
    with writing():
        count = mark_no_shows()
        db.session.commit()
    click.echo(f"marked {count} overdue booking(s)")


@booking_cli.command("send-reminders")
def send_reminders_command():
    """Remind users of tomorrow's approved bookings (each booking is reminded once)."""
    from .services import send_reminders
    db.session.commit()
    with writing():
        count = send_reminders()
        db.session.commit()
    click.echo(f"sent {count} reminder(s)")
