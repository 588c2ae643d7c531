"""`flask verification expire-report` lists verified qualifications that end within N days (operators
remind organisations); `flask verification identity ORG_ID USCC LEGAL_NAME LEGAL_REP` sets an identity."""
from datetime import timedelta

import click
from flask.cli import AppGroup

from ..accounts.models import Organisation
from ..core.uow import cli_unit_of_work
from ..extensions import db


def register(app):
    group = AppGroup("verification", help="Verified organisations: identities and qualifications.")

    @group.command("identity")
    @click.argument("org_id", type=click.IntRange(1, 2**31 - 1))
    @click.argument("uscc")
    @click.argument("legal_name")
    @click.argument("legal_rep")
    def identity(org_id, uscc, legal_name, legal_rep):
        """Record an organisation's USCC (check digit verified), legal name and legal representative."""
        from .services import seed_identity
        with cli_unit_of_work():
            org = db.session.get(Organisation, org_id)
            if org is None:
                raise click.ClickException(f"no organisation {org_id}")
            ident = seed_identity(org, uscc=uscc, legal_name=legal_name, legal_rep=legal_rep)
            click.echo(f"{org.id} {ident.uscc} {ident.legal_name}")

    @group.command("expiring")
    @click.option("--days", type=click.IntRange(0, 3660), default=30, show_default=True)
    def expiring(days):
        """Verified qualifications that end within DAYS days."""
        from .models import Qualification
        from .services import today
        end = today() + timedelta(days=days)
        rows = db.session.scalars(db.select(Qualification).where(
            Qualification.status == "verified", Qualification.valid_until.is_not(None),
            Qualification.valid_until <= end).order_by(Qualification.valid_until)).all()
        for q in rows:
            click.echo(f"{q.org_id}\t{q.kind}\t{q.number}\t{q.valid_until.isoformat()}")

    app.cli.add_command(group)
