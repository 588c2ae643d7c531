"""`flask federation add-partner …`, `… partners`, `… harvest [PARTNER]`: the operator's side of the
open catalogue's harvesting (staff may do the same on /federation/partners)."""
import click
from flask.cli import AppGroup

from ..core.uow import cli_unit_of_work
from .models import REGIONS, SCHEDULES


def register(app):
    group = AppGroup("federation", help="Partner platforms whose catalogues we harvest over OAI-PMH.")

    @group.command("add-partner")
    @click.option("--name", required=True, help="the partner's name (unique), e.g. 上海研发公共服务平台")
    @click.option("--region", required=True, type=click.Choice(list(REGIONS)))
    @click.option("--base-url", required=True, help="its OAI-PMH base URL")
    @click.option("--format", "metadata_prefix", default="jsst_core", show_default=True,
                  help="the metadataPrefix to ask for (jsst_core or oai_dc)")
    @click.option("--schedule", default="daily", show_default=True, type=click.Choice(list(SCHEDULES)))
    @click.option("--disabled", is_flag=True, help="add it switched off")
    def add_partner(name, region, base_url, metadata_prefix, schedule, disabled):
        """Add a partner platform to harvest."""
        from . import services
        with cli_unit_of_work():
            data = services.partner_input({"name": name, "region": region, "base_url": base_url,
                                           "metadata_prefix": metadata_prefix, "schedule": schedule,
                                           "enabled": not disabled})
            partner = services.add_partner(data, actor=None)
        click.echo(f"partner {partner.id}: {partner.name} ({partner.region}) {partner.base_url}")

    @group.command("partners")
    def partners():
        """List the partners, their last harvest and how many of their records we hold."""
        from . import services
        counts = services.record_counts()
        for p in services.list_partners():
            last = p.last_harvest_at.isoformat(timespec="seconds") if p.last_harvest_at else "never"
            click.echo(f"{p.id}\t{p.name}\t{p.region}\t{'on' if p.enabled else 'off'}\t{p.schedule}\t"
                       f"records {counts.get(p.id, 0)}\tlast harvest {last}\t{p.base_url}")

    @group.command("harvest")
    @click.argument("partner", required=False)
    def harvest(partner):
        """Harvest one partner (id or name) or every enabled one, incrementally; print each report."""
        from . import services
        with cli_unit_of_work():
            keys = [partner] if partner else [p.id for p in services.list_partners() if p.enabled]
        if partner is None and not keys:
            click.echo("no enabled partners (add one with `flask federation add-partner`)")
        failed = False
        for key in keys:
            with cli_unit_of_work():
                report = services.run_harvest(key)
                name = report.partner.name
            failed |= report.status == "failed"
            click.echo(f"{name}: {report.status}, pages {report.pages}, added {report.added}, "
                       f"updated {report.updated}, deleted {report.deleted}, skipped {report.skipped}"
                       + (f" — {report.error}" if report.error else ""))
            for problem in report.problems[:20]:
                click.echo(f"  skipped {problem['identifier'] or '(no identifier)'}: {problem['reason']}")
        if failed:
            raise SystemExit(1)

    @group.command("dump")
    @click.option("--out", "out", type=click.File("w", encoding="utf-8"), default="-",
                  help="the file to write (default: standard output)")
    @click.option("--base-url", default=None, help="the hub's public address for page links, e.g. https://hub.example.cn")
    def dump(out, base_url):
        """The whole open catalogue as JSON Lines (one listing a line; withdrawn ones as deleted)."""
        import json

        from flask import current_app

        from .catalogue import dump_lines
        n = 0
        with current_app.test_request_context(base_url=base_url or "http://127.0.0.1:5000"):
            for line in dump_lines():
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
                n += 1
        click.echo(f"{n} records", err=True)

    app.cli.add_command(group)
