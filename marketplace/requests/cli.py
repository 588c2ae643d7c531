"""`flask requests export` (staff's CSV/XLSX from the command line) and `flask requests placements`."""
import click
import sqlalchemy as sa
from flask.cli import AppGroup

from ..extensions import db

requests_cli = AppGroup("requests", help="Service requests (服务申请): staff export and placement counts.")


@requests_cli.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv")
@click.option("--kind", default=None, help="incubation, loan, equity, consulting, secondment, data_access, material")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), required=True)
def export_command(fmt, kind, out):
    """Write every submitted request (optionally of one kind) to OUT."""
    from .kinds import KINDS
    from .models import ServiceRequest
    from .services import exports
    if kind is not None and kind not in KINDS:
        raise click.BadParameter(kind, param_hint="--kind")
    q = sa.select(ServiceRequest).where(ServiceRequest.status != "draft").order_by(ServiceRequest.id)
    if kind:
        q = q.where(ServiceRequest.kind == kind)
    rows = exports.rows(db.session.scalars(q).all())
    data = exports.to_csv(rows) if fmt == "csv" else exports.to_xlsx(rows, "requests")
    with open(out, "wb") as f:
        f.write(data)
    click.echo(f"{len(rows) - 1} requests → {out}")


@requests_cli.command("placements")
@click.option("--year", type=int, default=None)
def placements_command(year):
    """The number of 科技副总 placements made (each one a 校企联盟 alliance)."""
    from .services.secondment import placements_count
    click.echo(placements_count(year))
