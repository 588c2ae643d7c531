"""`flask search rebuild` and `flask search check` (messages in the interface language; Chinese by default)."""
import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l


@click.group("search", help=_l("全文检索索引"))
def search_cli():
    pass


@search_cli.command("rebuild", help=_l("从数据库重建索引"))
@click.option("--procs", type=click.IntRange(1, 16), default=None,
              help=_l("并行写入进程数（默认 SEARCH_REBUILD_PROCS）"))
@with_appcontext
def rebuild(procs):
    svc = current_app.extensions["search"]
    total = svc.count_indexable()
    with click.progressbar(length=total, label=_("索引"), show_pos=True) as bar:
        count = svc.rebuild(progress=bar.update, procs=procs or current_app.config["SEARCH_REBUILD_PROCS"])
    click.echo(_("已索引 %(n)s 条", n=count))


@search_cli.command("check", help=_l("核对索引与数据库：缺失、过期和多余的文档"))
@click.option("--show", default=20, show_default=True, help=_l("每类最多列出的文档"))
@with_appcontext
def check(show):
    report = current_app.extensions["search"].check()
    click.echo(_("数据库：%(expected)s  索引：%(indexed)s", expected=report["expected"], indexed=report["indexed"]))
    for name, label in (("missing", _("缺失")), ("stale", _("过期")), ("extra", _("多余"))):
        keys = report[name]
        more = f" …(+{len(keys) - show})" if len(keys) > show else ""
        click.echo(f"{label} {name}: {len(keys)}" + (f"  {' '.join(keys[:show])}{more}" if keys else ""))
    if report["missing"] or report["stale"] or report["extra"]:
        click.echo(_("运行 `flask search rebuild` 修复"))
        raise SystemExit(1)
    click.echo(_("索引与数据库一致"))
