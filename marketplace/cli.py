"""Command-line interface: `flask --app marketplace …` or the installed `marketplace` command."""
import os

import click
from flask.cli import FlaskGroup, with_appcontext

from .core.uow import cli_unit_of_work
from .extensions import db


def register(app):
    app.cli.add_command(init_db)
    app.cli.add_command(seed_demo)
    app.cli.add_command(users)
    app.cli.add_command(worker)
    app.cli.add_command(scheduler)
    from .backup import backup_command, restore_command
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


def create_schema():
    """Apply the migrations; fall back to create_all when the package has none (development)."""
    from flask_migrate import upgrade

    versions = os.path.join(os.path.dirname(__file__), "migrations", "versions")
    if os.path.isdir(versions) and any(f.endswith(".py") for f in os.listdir(versions)):
        upgrade()
    else:
        db.create_all()


def _require_broker():
    from flask import current_app
    if not current_app.config.get("JOBS_BROKER_URL"):
        raise click.ClickException(
            "no job broker configured: jobs run in the web process after each commit. "
            "Set JOBS_BROKER_URL=redis://127.0.0.1:6379/0 to run them in workers.")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Run the jobs queued now, then exit.")
@click.option("--fork/--no-fork", default=False, show_default=True,
              help="Run each job in a forked process (isolation) instead of this one (speed: connections reused).")
@with_appcontext
def worker(burst, fork):
    """Run background jobs (mail, notifications, sweeps) from the queue at JOBS_BROKER_URL."""
    from .core import jobs
    _require_broker()
    db.engine.dispose()  # forked jobs must open their own connections
    w = jobs.make_worker(simple=not fork)
    click.echo(f"worker {w.name} on queue {jobs.queue().name} at {jobs.broker_url()}")
    w.work(burst=burst, with_scheduler=True, logging_level="INFO")  # the scheduler re-queues retries


SCHEDULER_RETRY_SECONDS = 2


@click.command("scheduler")
@click.option("--list", "list_only", is_flag=True, help="Print the schedule and exit.")
@with_appcontext
def scheduler(list_only):
    """Put the periodic jobs (sweeps, reminders) on the queue on their schedule (RQ's cron scheduler)."""
    from .core import jobs
    if list_only:
        for p in jobs.SCHEDULE:
            click.echo(f"{p.name:<20} {p.cron:<14} {p.func}  — {p.doc}")
        return
    _require_broker()
    import time

    from redis.exceptions import ConnectionError as RedisDown
    from redis.exceptions import TimeoutError as RedisTimeout
    while True:
        s = jobs.make_scheduler()
        try:
            click.echo(f"scheduler {s.name}: {len(s.get_jobs())} periodic jobs on queue {jobs.queue().name}")
            s.start()
            return
        except (RedisDown, RedisTimeout) as err:
            # RQ's cron loop ends on a lost Redis (a restart, a failover) and with it every periodic job
            # (the outbox drain, the sweeps, closing auctions): start a new one once Redis answers again.
            click.echo(f"scheduler lost the broker ({err}); starting again in {SCHEDULER_RETRY_SECONDS} s", err=True)
            time.sleep(SCHEDULER_RETRY_SECONDS)


@click.command("init-db")
@with_appcontext
def init_db():
    """Create the schema (migrations applied)."""
    create_schema()
    click.echo("database ready")


@click.command("seed-demo")
@click.option("--resources", "n", default=600, show_default=True, type=click.IntRange(0, 2_000_000))
@click.option("--seed", default=42, show_default=True, type=int)
@click.option("--force", is_flag=True, help="Seed even when the database already has users.")
@click.option("--if-empty", is_flag=True, help="Do nothing (and succeed) when the database has data.")
@with_appcontext
def seed_demo(n, seed, force, if_empty):
    """Load realistic demo data: every type in every city, the demo accounts, bookings…"""
    from .accounts.models import User
    from .demo.seed import seed_demo as run

    if if_empty and db.session.scalar(db.select(User.id).limit(1)) is not None:
        click.echo("database already has data: demo data not loaded")
        return

    with click.progressbar(length=n, label="resources") as bar:
        run(resources=n, seed=seed, progress=bar.update, force=force)  # refuses a non-empty database
    click.echo(f"seeded {n} resources (seed {seed})")


@click.group()
def users():
    """Accounts and API tokens."""


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--role", "roles", multiple=True, type=click.Choice(["reviewer", "finance", "admin"]))
@click.option("--org-id", type=int, default=None)
@click.option("--org-admin", is_flag=True)
@with_appcontext
def users_create(email, name, password, roles, org_id, org_admin):
    """Create an account."""
    from .accounts import services
    from .accounts.models import Organisation

    with cli_unit_of_work():
        org = db.session.get(Organisation, org_id) if org_id else None
        if org_id and org is None:
            raise click.ClickException(f"no organisation {org_id}")
        user = services.create_user(email, name, password, organisation=org, org_admin=org_admin, roles=roles)
    click.echo(f"created user {user.id} {user.email}")


@users.command("token")
@click.argument("email")
@click.option("--name", default="CLI")
@with_appcontext
def users_token(email, name):
    """Create a personal API token for EMAIL and print it (once)."""
    from .accounts import services

    with cli_unit_of_work():
        user = services.get_user_by_email(email)
        if user is None:
            raise click.ClickException(f"no user {email}")
        _token, secret = services.create_api_token(user, name)
    click.echo(secret)


def main():
    from . import create_app

    FlaskGroup(create_app=create_app, help="江苏省科技资源统筹服务平台")()
