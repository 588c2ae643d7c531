"""The durable index feed: changes and their feed rows commit together; each index directory
applies the feed in order from its own position; a killed indexer loses nothing; a second host with
its own index converges; late commits (PostgreSQL ids committed out of order) are not skipped."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from marketplace import create_app
from marketplace.catalog.models import Resource
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db
from marketplace.search import feed
from marketplace.search.models import SearchChange, SearchFeedReader

TEST_SECRET = "test-secret-long-enough-for-production-checks"  # >= 32 bytes: flask refuses less

ROOT = Path(__file__).resolve().parents[2]
PG = bool(os.environ.get("TEST_DATABASE_URL"))


def feed_rows():
    return db.session.execute(sa.select(SearchChange.doc_type, SearchChange.doc_id, SearchChange.op)
                              .order_by(SearchChange.id)).all()


def make_many(org, n, prefix):
    """n published instruments in one commit (the factory commits one by one: too slow here)."""
    from marketplace.catalog.models import Instrument, ResourcePlatform
    from marketplace.core.timeutil import utcnow
    objs = [Instrument(title=f"{prefix}{i:04d}", owner_org_id=org.id, city="南京", status="published",
                       published_at=utcnow(), model=f"FD-{i:04d}", manufacturer="x", original_value=1,
                       category_l1="c", service_mode="staff_operated", price_unit="hour", internal_price=1,
                       external_price=1, platform_rows=[ResourcePlatform(platform="sharing")]) for i in range(n)]
    db.session.add_all(objs)
    db.session.commit()
    return objs


def other_host(app, index_dir, **config):
    """An app on the same database with its own index directory: another host."""
    keys = ("TESTING", "SQLALCHEMY_DATABASE_URI", "SECRET_KEY")
    return create_app({**{k: app.config[k] for k in keys}, "SEARCH_INDEX_DIR": str(index_dir),
                       "AUTO_INDEX": True, **config})


def titles_on(host, q):
    with host.app_context():
        resp = host.test_client().get("/api/v1/search", query_string={"q": q, "per_page": 50})
        return sorted(i["title"] for i in resp.get_json()["items"])


def follower(app, index_dir, *args, log=None):
    env = dict(os.environ, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], SEARCH_INDEX_DIR=str(index_dir),
               SEARCH_WARM_UP="0", SECRET_KEY=TEST_SECRET, PYTHONUNBUFFERED="1")
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "marketplace", "search", "follow", *args],
                            cwd=ROOT, env=env, stdout=log or subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def cli(app, index_dir, *args, timeout=300, **env_vars):
    env = dict(os.environ, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], SEARCH_INDEX_DIR=str(index_dir),
               SEARCH_WARM_UP="0", SECRET_KEY=TEST_SECRET, **env_vars)
    proc = subprocess.run([sys.executable, "-m", "flask", "--app", "marketplace", "search", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=timeout)
    return proc.returncode, proc.stdout + proc.stderr


# -- the position's bookkeeping (pure) -------------------------------------------------------------

def test_position_moves_over_applied_ids_and_waits_for_holes():
    s = feed.FeedState(position=10)
    s.advance([11, 12, 14, 15], now=100.0, gap_seconds=60)
    assert s.position == 12 and s.applied == {14, 15} and s.holes() == [(13, 13)]
    s.advance([13], now=101.0, gap_seconds=60)        # the late commit arrives
    assert s.position == 15 and not s.applied and not s.gaps
    s.advance([17], now=102.0, gap_seconds=60)        # 16 missing: rolled back, or still committing
    assert s.position == 15
    s.advance([], now=162.0, gap_seconds=60)          # still missing a minute later: skipped
    assert s.position == 17 and not s.applied


def test_position_file_is_written_whole(tmp_path):
    feed.FeedState(position=7, applied={9}, gaps={8: 1.5}).save(str(tmp_path))
    got = feed.FeedState.load(str(tmp_path))
    assert (got.position, got.applied, got.gaps, got.known) == (7, {9}, {8: 1.5}, True)
    (tmp_path / feed.STATE_FILE).write_text("{garbage")
    assert feed.FeedState.load(str(tmp_path)).known is False
    assert [p.name for p in tmp_path.iterdir()] == [feed.STATE_FILE]  # no temporary files left


# -- writing the feed ------------------------------------------------------------------------------

def test_feed_rows_commit_with_the_change_and_roll_back_with_it(app, org, make_resource, titles, index):
    r = make_resource("instrument", org, title="场发射扫描电镜")
    assert ("resource", r.id, "upsert") in feed_rows()
    before = len(feed_rows())
    r.title = "回滚的标题"
    db.session.flush()
    db.session.rollback()
    assert len(feed_rows()) == before and titles("回滚的标题") == []
    org.name = "东南大学分析测试中心"   # a related row: its resources are found when applied
    db.session.commit()
    assert feed_rows()[-1] == ("resource.organisations", org.id, "upsert")
    assert titles("东南大学 电镜") == ["场发射扫描电镜"]
    rid = r.id
    db.session.delete(r)
    db.session.commit()
    assert feed_rows()[-1] == ("resource", rid, "delete") and titles("电镜") == []
    assert index.feed_position() == db.session.scalar(sa.select(sa.func.max(SearchChange.id)))


def test_nothing_is_written_with_auto_index_off(app, org, make_resource):
    before = feed_rows()
    app.config["AUTO_INDEX"] = False
    make_resource("instrument", org, title="批量导入的仪器")
    assert feed_rows() == before


def test_a_busy_index_leaves_the_rows_in_the_feed_for_a_later_pass(app, org, make_resource, index, titles):
    make_resource("instrument", org, title="三坐标测量机")
    app.config["SEARCH_APPLY_AFTER_COMMIT"] = False  # as if the process died right after its commit
    make_resource("instrument", org, title="电磁兼容测试系统")
    assert titles("电磁兼容") == []
    assert index.catch_up() == 1                      # the next pass (here, or a follower) applies it
    assert titles("EMC") == ["电磁兼容测试系统"]
    assert index.catch_up() == 0


def test_rebuild_starts_the_feed_at_its_head(app, org, make_resource, index, runner):
    make_resource("instrument", org, title="激光粒度仪")
    head = db.session.scalar(sa.select(sa.func.max(SearchChange.id)))
    app.config["SEARCH_FEED_GAP_SECONDS"] = 0  # no row may still be committing
    assert runner.invoke(args=["search", "rebuild", "--procs", "1"]).exit_code == 0
    assert index.feed_position() == head
    assert runner.invoke(args=["search", "check"]).exit_code == 0


def test_prune_keeps_what_a_reader_still_needs(app, org, make_resource, index, runner):
    for n in range(3):
        make_resource("instrument", org, title=f"剪枝仪器{n}")
    ids = db.session.scalars(sa.select(SearchChange.id).order_by(SearchChange.id)).all()
    db.session.rollback()  # end the read (SQLite: a read snapshot cannot become a write after another commit)
    index._report(index.feed_position(), force=True)
    db.session.add(SearchFeedReader(name="slow-host", position=ids[0], seen_at=utcnow()))
    db.session.commit()
    result = runner.invoke(args=["search", "prune"])
    assert result.exit_code == 0 and "已删除 1 条" in result.output, result.output
    assert db.session.scalars(sa.select(SearchChange.id).order_by(SearchChange.id)).all() == ids[1:]
    # rows older than the retention go whatever the readers (a reader not seen since is ignored)
    app.config["SEARCH_FEED_RETENTION_DAYS"] = 0
    db.session.rollback()
    assert index.prune() == len(ids) - 1
    db.session.rollback()
    assert feed_rows() == []
    assert feed.pruned_mark(db.session) == ids[-1]


def test_an_index_behind_the_pruned_feed_is_rebuilt(app, org, make_resource, index, tmp_path):
    make_resource("instrument", org, title="落后的索引")
    db.session.add(SearchFeedReader(name=feed.PRUNED, position=10**9, seen_at=utcnow()))
    db.session.commit()
    host = other_host(app, tmp_path / "late")
    with host.app_context():
        svc = host.extensions["search"]
        svc.rebuild()
        feed.FeedState(position=1).save(svc.path)        # as if it had stopped long ago
        svc.follow(0.1, once=True)
        assert svc.feed_position() == 10**9 and svc.check()["missing"] == []
        db.session.remove()
        db.engine.dispose()


# -- processes and hosts ---------------------------------------------------------------------------

@pytest.mark.slow
def test_indexer_killed_mid_batch_loses_nothing(app, org, index, tmp_path):
    app.config["AUTO_INDEX"] = False
    made = make_many(org, 1500, "断电测试仪器")
    host_b = tmp_path / "host-b"
    # (no margin: the organisation's earlier row, which reindexes all 1,500, is not applied again)
    code, out = cli(app, host_b, "rebuild", "--procs", "1", SEARCH_FEED_GAP_SECONDS="0")
    assert code == 0, out
    start = feed.FeedState.load(str(host_b)).position
    app.config["AUTO_INDEX"] = True
    app.config["SEARCH_APPLY_AFTER_COMMIT"] = False
    for r in made:                                  # one commit, 1,500 feed rows
        r.title = r.title.replace("断电测试", "恢复测试")
        r.updated_at = utcnow()
    db.session.commit()
    head = db.session.scalar(sa.select(sa.func.max(SearchChange.id)))
    assert head - start >= 1500
    log = open(tmp_path / "follower.log", "w")
    proc = follower(app, host_b, "--batch", "50", "--interval", "0.1", log=log)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:          # wait until it is part of the way through
            pos = feed.FeedState.load(str(host_b)).position
            if start + 100 <= pos:
                break
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    killed_at = feed.FeedState.load(str(host_b)).position
    assert start < killed_at < head, (start, killed_at, head)   # killed mid-batch
    code, out = cli(app, host_b, "check")
    assert code == 1 and "stale" in out, out                    # visibly behind
    code, out = cli(app, host_b, "follow", "--once")              # restarted: catches up and stops
    assert code == 0, out
    assert feed.FeedState.load(str(host_b)).position == head
    code, out = cli(app, host_b, "check")
    assert code == 0, out


@pytest.mark.slow
def test_a_change_through_host_a_is_searchable_on_host_b_within_two_seconds(app, org, make_resource, tmp_path):
    make_resource("instrument", org, title="已有的仪器")
    host_b_dir = tmp_path / "host-b"
    code, out = cli(app, host_b_dir, "rebuild", "--procs", "1")
    assert code == 0, out
    proc = follower(app, host_b_dir, "--interval", "0.1")
    host_b = other_host(app, host_b_dir, SEARCH_APPLY_AFTER_COMMIT=False)
    try:
        deadline = time.monotonic() + 60
        while "跟随" not in proc.stdout.readline() and time.monotonic() < deadline:  # its first line: it is up (warm)
            assert proc.poll() is None, proc.stdout.read()
        made = make_resource("instrument", org, title="主机甲发布的核磁共振波谱仪")   # through host A (the test app)
        committed = time.monotonic()
        seen = None
        index_b = host_b.extensions["search"]
        while time.monotonic() - committed < 5:       # B's own searcher (what B's queries use) has it
            with host_b.app_context():
                if index_b.searcher().document(key=f"resource:{made.id}"):
                    seen = time.monotonic() - committed
                    break
            time.sleep(0.02)
        assert seen is not None and seen <= 2.0, seen
        assert titles_on(host_b, "核磁共振") == ["主机甲发布的核磁共振波谱仪"]
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=20)
        with host_b.app_context():
            db.session.remove()
            db.engine.dispose()
    assert proc.returncode == 0, out


@pytest.mark.skipif(not PG, reason="ids commit out of order only with concurrent writers (PostgreSQL)")
def test_a_late_commit_with_a_smaller_id_is_applied_not_skipped(app, org, make_resource, index, titles):
    early = make_resource("instrument", org, title="早开始的事务")
    later = make_resource("instrument", org, title="晚开始的事务")
    app.config["SEARCH_APPLY_AFTER_COMMIT"] = False
    # transaction 1 takes the smaller id and does not commit yet
    conn = db.engine.connect()
    tx = conn.begin()
    conn.execute(sa.update(Resource.__table__).where(Resource.id == early.id).values(title="迟到的提交"))
    conn.execute(sa.insert(SearchChange.__table__).values(doc_type="resource", doc_id=early.id, op="upsert",
                                                          created_at=sa.func.now()))
    # transaction 2 takes a larger id and commits first; the indexer applies it
    later.title = "先到的提交"
    db.session.commit()
    index.catch_up()
    assert titles("先到的提交") == ["先到的提交"]
    state = feed.FeedState.load(index.path)
    assert state.holes(), "the uncommitted row is a hole the position waits at"
    tx.commit()
    conn.close()
    index.catch_up()
    assert titles("迟到的提交") == ["迟到的提交"]
    assert not feed.FeedState.load(index.path).holes()
    # a rolled-back insert leaves a hole forever: skipped once SEARCH_FEED_GAP_SECONDS have passed
    conn = db.engine.connect()
    with conn.begin() as tx:
        conn.execute(sa.insert(SearchChange.__table__).values(doc_type="resource", doc_id=early.id, op="upsert",
                                                              created_at=sa.func.now()))
        tx.rollback()
    conn.close()
    later.title = "空洞之后"
    db.session.commit()
    app.config["SEARCH_FEED_GAP_SECONDS"] = 0.3
    index.catch_up()
    assert titles("空洞之后") == ["空洞之后"] and feed.FeedState.load(index.path).holes()
    time.sleep(0.4)
    index.catch_up()
    head = db.session.scalar(sa.select(sa.func.max(SearchChange.id)))
    assert index.feed_position() == head and not feed.FeedState.load(index.path).holes()
