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
@click.option("--if-stale", is_flag=True,
              help=_l("只在索引与数据库不一致时重建（缺失、过期或多余的文档；索引结构变了会自动重建）"))
@with_appcontext
def rebuild(procs, if_stale):
    svc = current_app.extensions["search"]
    if if_stale:
        report = svc.check()
        if not (report["missing"] or report["stale"] or report["extra"]):
            click.echo(_("索引与数据库一致（%(n)s 条），无需重建", n=report["indexed"]))
            return
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


@search_cli.command("follow", help=_l("持续应用索引变更日志（独立的索引进程）"))
@click.option("--interval", type=click.FloatRange(0.05, 3600), default=None,
              help=_l("轮询间隔秒数（默认 SEARCH_FEED_INTERVAL）"))
@click.option("--batch", type=click.IntRange(1, 100_000), default=None,
              help=_l("每次索引提交应用的变更数（默认 SEARCH_FEED_BATCH）"))
@click.option("--once", is_flag=True, help=_l("追上后退出"))
@with_appcontext
def follow(interval, batch, once):
    import signal
    import threading

    svc = current_app.extensions["search"]
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    if not once:
        from . import warm_up
        warm_up(current_app)  # jieba's dictionary and the index, before the first change arrives
        click.echo(_("跟随索引变更日志：%(dir)s（位置 %(pos)s）", dir=svc.path, pos=svc.feed_position()))
    total = svc.follow(interval or current_app.config["SEARCH_FEED_INTERVAL"], stop=stop, once=once, batch=batch,
                       echo=lambda n, pos: click.echo(_("已应用 %(n)s 条变更，位置 %(pos)s", n=n, pos=pos)))
    click.echo(_("共应用 %(n)s 条变更，位置 %(pos)s", n=total, pos=svc.feed_position()))


@search_cli.command("prune", help=_l("删除各索引都已应用或已过保留期的变更日志"))
@with_appcontext
def prune():
    n = current_app.extensions["search"].prune()
    click.echo(_("已删除 %(n)s 条变更日志", n=n))
