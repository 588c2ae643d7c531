"""`flask search rebuild` and `flask search check`."""
import click
from flask import current_app
from flask.cli import with_appcontext


@click.group("search", help="全文检索索引 / the search index")
def search_cli():
    pass


@search_cli.command("rebuild", help="从数据库重建索引 / rebuild the index from the database")
@click.option("--procs", type=click.IntRange(1, 16), default=None,
              help="并行写入进程数 / parallel sub-writer processes (default SEARCH_REBUILD_PROCS)")
@with_appcontext
def rebuild(procs):
    svc = current_app.extensions["search"]
    total = svc.count_indexable()
    with click.progressbar(length=total, label="索引 / indexing", show_pos=True) as bar:
        count = svc.rebuild(progress=bar.update, procs=procs or current_app.config["SEARCH_REBUILD_PROCS"])
    click.echo(f"已索引 {count} 条 / indexed {count} documents")


@search_cli.command("check", help="核对索引与数据库 / report missing, stale and extra documents")
@click.option("--show", default=20, show_default=True, help="每类最多列出的文档 / keys listed per kind")
@with_appcontext
def check(show):
    report = current_app.extensions["search"].check()
    click.echo(f"数据库 / database: {report['expected']}  索引 / index: {report['indexed']}")
    for name, zh in (("missing", "缺失"), ("stale", "过期"), ("extra", "多余")):
        keys = report[name]
        more = f" …(+{len(keys) - show})" if len(keys) > show else ""
        click.echo(f"{zh} / {name}: {len(keys)}" + (f"  {' '.join(keys[:show])}{more}" if keys else ""))
    if report["missing"] or report["stale"] or report["extra"]:
        click.echo("运行 `flask search rebuild` 修复 / run `flask search rebuild` to fix")
        raise SystemExit(1)
    click.echo("索引与数据库一致 / the index matches the database")
