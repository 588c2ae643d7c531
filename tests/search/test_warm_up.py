"""Cold start: warm_up loads jieba and opens a warmed searcher; it never builds an index; a server
warms up when it creates the app, other `flask` commands and tests do not."""
import os

from marketplace import create_app
from marketplace.search import analysis, warm_up


def test_warm_up_opens_the_searcher_and_runs_queries(app, org, make_resource, index):
    make_resource("instrument", org, title="透射电子显微镜")
    index.reset()
    done = warm_up(app)
    assert analysis._tokenizer is not None
    assert "queries_ms" in done and done["total_ms"] >= done["jieba_ms"]
    assert getattr(index._local, "searcher", None) is not None  # this thread's searcher is open and current


def test_warm_up_without_an_index_does_not_build_one(app, tmp_path):
    app.config["SEARCH_INDEX_DIR"] = str(tmp_path / "none")
    app.extensions["search"].path = str(tmp_path / "none")
    done = warm_up(app)
    assert "queries_ms" not in done and not os.path.exists(tmp_path / "none")


def test_a_server_warms_up_at_start_and_tests_do_not(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr("marketplace.search.warm_up", lambda app: calls.append(app))
    cfg = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}", "SEARCH_INDEX_DIR": str(tmp_path / "ix"),
           "SECRET_KEY": "warm-up-test-" + "k" * 40}
    monkeypatch.delenv("FLASK_RUN_FROM_CLI", raising=False)
    create_app({**cfg, "TESTING": True})
    assert calls == []
    served = create_app(cfg)                            # as gunicorn creates it
    assert calls == [served]
    create_app({**cfg, "SEARCH_WARM_UP": False})
    assert calls == [served]
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")    # `flask db upgrade`, `flask search check`…
    create_app(cfg)
    assert calls == [served]
