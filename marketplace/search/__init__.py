"""Chinese full-text search over the whole hub (Whoosh + jieba).

init_app registers the `search` blueprint (/search), the `flask search` CLI group, the session
hooks that write the durable index feed and apply it after commit (hooks.py, feed.py, index.py),
and warms the search up at start when SEARCH_WARM_UP says so (warm_up below).
"""
import gc
import logging
import os
import time

log = logging.getLogger("marketplace.search")

# what warm_up asks: common words, a Latin abbreviation, a model number, a city with a kind
WARM_UP_QUERIES = ("电镜", "检测", "SEM", "JEM-2100F", "南京 测试", "显微镜", "技术转移", "生物医药")


def init_app(app):
    from . import hooks, models  # noqa: F401 - models: the feed's tables
    from .cli import search_cli
    from .documents import register_defaults
    from .index import SearchIndex
    from .routes import bp

    register_defaults()
    app.extensions["search"] = SearchIndex(app)
    hooks.install()
    app.register_blueprint(bp)
    app.cli.add_command(search_cli)
    if _serving() and app.config.get("SEARCH_WARM_UP") and not app.config.get("TESTING"):
        # other domains register their document kinds after this package: warm up once all are in
        app.extensions.setdefault("on_ready", []).append(warm_up)


def warm_up_queries() -> list[str]:
    """WARM_UP_QUERIES, then one query per group of the shipped synonyms (its shortest form): the
    domain's vocabulary (instrument names and their abbreviations), whose expanded term postings are
    the costliest first reads of a fresh process."""
    from .analysis import synonyms
    groups = {forms: min(forms, key=lambda f: (len(f), f)) for forms in synonyms().values()}
    return list(dict.fromkeys([*WARM_UP_QUERIES, *sorted(groups.values())]))


# The search as people reach it, requested once through the app itself (a GET: nothing is written):
# the page (its templates are compiled on first use: 70 ms at the first visitor's expense) and the
# API's search (request validation and the answer's serialisation). Endpoint names, not imports:
# the API sits above this package.
WARM_UP_ENDPOINTS = ("search.search_page", "api.search")


def _warm_requests(app) -> None:
    from flask import url_for
    client = app.test_client()
    for endpoint in WARM_UP_ENDPOINTS:
        if endpoint not in app.view_functions:
            continue
        try:
            with app.test_request_context("/"):
                url = url_for(endpoint, q=WARM_UP_QUERIES[0])
            status = client.get(url).status_code
            if status != 200:
                log.warning("search warm-up request %s answered %s", url, status)
        except Exception as err:  # warming must never stop a worker from starting
            log.warning("search warm-up request to %s failed: %s", endpoint, err)


def _serving() -> bool:
    """Started to serve requests (a WSGI server, `flask run`), not for another `flask` command."""
    if os.environ.get("FLASK_RUN_FROM_CLI") != "true":
        return True
    import click
    ctx = click.get_current_context(silent=True)
    return ctx is not None and ctx.info_name == "run"


def warm_up(app) -> dict:
    """Load jieba's dictionary, open the index and its searcher and run a few representative
    queries through the normal search path, so the first users do not pay for it.

    Safe to call in a forked worker (gunicorn post_fork): index handles inherited from the parent
    are dropped and reopened. Never builds an index: if there is none yet, only jieba is loaded.
    Returns what it did and how long it took (ms).
    """
    from . import analysis, services

    started = time.perf_counter()
    out = {}
    analysis.jieba_tokenizer()
    analysis.tokens("透射电子显微镜 JEM-2100F", "index")
    out["jieba_ms"] = round((time.perf_counter() - started) * 1000, 1)
    index = app.extensions.get("search")
    ok, _ = index._try_open() if index is not None and os.path.isdir(index.path) else (None, None)
    if ok is not None:
        t = time.perf_counter()
        index.reset()
        with app.test_request_context("/search"):
            for q in warm_up_queries():
                try:
                    services.search(services.parse_args({"q": q}))
                except Exception as err:  # warming must never stop a worker from starting
                    log.warning("search warm-up query %r failed: %s", q, err)
                    break
        out["queries_ms"] = round((time.perf_counter() - t) * 1000, 1)
        t = time.perf_counter()
        _warm_requests(app)
        out["requests_ms"] = round((time.perf_counter() - t) * 1000, 1)
    # What is alive now (modules, the app, jieba's dictionary, the warmed caches) lives as long as the
    # process: move it out of the collector's generations, so that the first requests' collections
    # do not walk it all again (a full collection here took 30+ ms, inside someone's first query).
    gc.collect()
    gc.freeze()
    out["total_ms"] = round((time.perf_counter() - started) * 1000, 1)
    log.info("search warmed up: %s", out)
    return out
