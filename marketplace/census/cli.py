"""`flask census report` and `flask census evaluate`."""
import sys

import click
from flask.cli import AppGroup

from ..core.errors import DomainError
from . import rules

census_cli = AppGroup("census", help="The resource census (科技资源普查) and the open-sharing evaluation.")


@census_cli.command("report")
@click.option("--year", type=click.IntRange(2000, 2100), required=True)
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True)
@click.option("--group-by", type=click.Choice(rules.GROUPS), default="city", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, writable=True), default=None,
              help="file to write (default: CSV to standard output)")
def report_cmd(year, fmt, group_by, out):
    """The census tables of a year as CSV or XLSX."""
    from .services import report
    try:
        rows = report.rows_with_self_reports(year, group_by)
    except DomainError as err:
        raise click.ClickException(str(err.detail)) from None
    body = report.to_csv(rows) if fmt == "csv" else report.to_xlsx(rows, f"census {year} {group_by}")
    if out:
        with open(out, "wb") as f:
            f.write(body)
        click.echo(f"{len(rows)} rows -> {out}")
    elif fmt == "xlsx":
        raise click.UsageError("--format xlsx needs --out FILE")
    else:
        sys.stdout.buffer.write(body)


@census_cli.command("evaluate")
@click.option("--year", type=click.IntRange(2000, 2100), required=True)
def evaluate_cmd(year):
    """The evaluation scores and grades of managing units."""
    from .services import evaluation
    rows = evaluation.evaluate(year)
    click.echo(f"{'org_id':>8}  {'score':>6}  grade  name")
    for r in rows:
        click.echo(f"{r['org_id']:>8}  {r['score']:>6.2f}  {r['grade']}({r['provider_grade']})  {r['name']}")
    click.echo(f"{len(rows)} managing units")
