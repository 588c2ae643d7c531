"""`flask registration overdue` and `flask registration stats` (read-only reports)."""
import sys

import click
from flask.cli import AppGroup

registration_cli = AppGroup("registration", help="Technology-contract registration (技术合同认定登记).")


@registration_cli.command("overdue")
def overdue_command():
    """List submitted applications past their working-day deadline."""
    import sqlalchemy as sa

    from ..extensions import db
    from . import rules
    from .models import ContractRegistration as CR
    from .services import today_local
    today = today_local()
    regs = db.session.scalars(sa.select(CR).where(CR.status == "submitted", CR.due_on < today)
                              .order_by(CR.due_on)).all()
    for reg in regs:
        click.echo(f"#{reg.id}\t{reg.due_on}\t{rules.working_days_left(today, reg.due_on)}\t{reg.project_name}")
    click.echo(f"{len(regs)} overdue")


@registration_cli.command("stats")
@click.option("--year", type=int, required=True)
@click.option("--group-by", type=click.Choice(["type", "field", "city", "nature", "month"]), default="type")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv")
@click.option("--out", type=click.Path(dir_okay=False), default=None)
def stats_command(year, group_by, fmt, out):
    """Registered contracts, 合同成交额 and 技术交易额 of a year (CSV on stdout, or a file)."""
    from .services.stats import contract_stats, export_rows, to_csv, to_xlsx
    headers = ["key", "label", "count", "total_amount_fen", "tech_amount_fen", "total_amount_yuan",
               "tech_amount_yuan"]
    table = export_rows(contract_stats(year, group_by), headers)
    body = to_csv(table) if fmt == "csv" else to_xlsx(table, f"{year} {group_by}")
    if out:
        with open(out, "wb") as f:
            f.write(body)
    elif fmt == "csv":
        sys.stdout.write(body.decode("utf-8-sig"))
    else:
        raise click.UsageError("--format xlsx needs --out FILE")
