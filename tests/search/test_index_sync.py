"""The index follows the database: committed changes only, unpublishing removes, rebuild/check,
recovery from a missing or damaged index, fresh searchers, and writers in several processes."""
import multiprocessing
import os
import time

import pytest

from marketplace.catalog import services as catalog
from marketplace.catalog.models import Instrument
from marketplace.extensions import db


def test_publish_edit_unpublish_follow_commits(org, make_user, make_resource, titles):
    reviewer = make_user(roles=("reviewer",))
    owner = make_user(org=org)
    r = make_resource("instrument", org, title="原子力显微镜", status="pending_review")
    assert titles("原子力显微镜") == []              # not published yet
    catalog.publish_resource(r, actor=reviewer)
    assert titles("原子力显微镜") == []              # flushed but not committed
    started = time.monotonic()
    db.session.commit()
    assert titles("AFM") == ["原子力显微镜"]          # searchable right after the commit
    assert time.monotonic() - started < 2

    catalog.update_resource(r, {"title": "原子力显微镜 Dimension Icon"}, actor=owner)
    db.session.commit()
    assert titles("Dimension") == []                 # a published listing's new title waits for review
    catalog.decide(catalog.pending_revision(r), "approve", actor=reviewer)
    db.session.commit()
    assert titles("Dimension") == ["原子力显微镜 Dimension Icon"]

    catalog.take_offline(r, actor=owner)
    db.session.commit()
    assert titles("原子力显微镜") == []


def test_rolled_back_changes_never_show(org, make_resource, titles):
    r = make_resource("instrument", org, title="激光共聚焦显微镜")
    r.title = "不应出现的标题"
    db.session.flush()
    db.session.rollback()
    assert titles("不应出现的标题") == [] and titles("激光共聚焦") == ["激光共聚焦显微镜"]
    # a rolled back new listing never reaches the index either
    db.session.add(Instrument(title="回滚的仪器", owner_org_id=org.id, city="南京", status="published", model="m",
                        manufacturer="x", original_value=1, category_l1="c", service_mode="staff_operated",
                        price_unit="hour", internal_price=1, external_price=1))
    db.session.flush()
    db.session.rollback()
    assert titles("回滚的仪器") == []


def test_platform_and_organisation_changes_reindex(org, make_resource, api_search):
    from marketplace.catalog.models import ResourcePlatform
    r = make_resource("instrument", org, title="流式细胞仪")
    assert api_search(q="流式", platform="startup")["total"] == 0
    r.platform_rows.append(ResourcePlatform(platform="startup"))
    db.session.commit()
    assert api_search(q="流式", platform="startup")["total"] == 1
    org.name = "东南大学生物电子学平台"
    db.session.commit()
    assert api_search(q="生物电子学 流式")["total"] == 1


def test_deleted_rows_leave_the_index(org, make_resource, titles):
    r = make_resource("bioresource", org, title="大肠杆菌菌种")
    assert titles("菌种") == ["大肠杆菌菌种"]
    db.session.delete(r)
    db.session.commit()
    assert titles("菌种") == []


def test_auto_index_off_then_rebuild_and_check(app, org, make_resource, runner, index, titles):
    keep = make_resource("instrument", org, title="比表面积分析仪")
    app.config["AUTO_INDEX"] = False
    added = make_resource("instrument", org, title="同步热分析仪")
    keep.title = "比表面积及孔隙度分析仪"
    keep.updated_at = keep.updated_at.replace(year=keep.updated_at.year + 1)
    db.session.commit()
    app.config["AUTO_INDEX"] = True
    gone = make_resource("instrument", org, title="待下线的仪器")
    assert titles("待下线的仪器") == ["待下线的仪器"]
    app.config["AUTO_INDEX"] = False
    gone.status = "offline"
    db.session.commit()
    app.config["AUTO_INDEX"] = True

    report = index.check()
    assert report["missing"] == [f"resource:{added.id}"]
    assert report["stale"] == [f"resource:{keep.id}"]
    assert report["extra"] == [f"resource:{gone.id}"]
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 1 and "missing: 1" in result.output and "stale: 1" in result.output

    result = runner.invoke(args=["search", "rebuild", "--procs", "2"])  # forked workers
    assert result.exit_code == 0, result.output
    assert "已索引 2 条" in result.output  # CLI output follows the interface language (Chinese here)
    assert runner.invoke(args=["search", "rebuild", "--procs", "1"]).exit_code == 0
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 0, result.output
    assert titles("同步热分析仪") == ["同步热分析仪"] and titles("待下线的仪器") == []


def test_missing_index_is_rebuilt_with_a_warning(app, org, make_resource, index, titles, caplog):
    import shutil
    make_resource("instrument", org, title="冷冻电镜")
    assert titles("冷冻电镜") == ["冷冻电镜"]
    shutil.rmtree(index.path)
    index.reset()
    with caplog.at_level("WARNING", logger="marketplace.search"):
        assert titles("冷冻电镜") == ["冷冻电镜"]
    assert "missing" in caplog.text and "rebuilding" in caplog.text


@pytest.mark.parametrize("damage", ["toc", "segments", "garbage"])
def test_corrupt_index_is_rebuilt_not_a_crash(app, org, make_resource, index, titles, caplog, damage):
    make_resource("instrument", org, title="拉曼光谱仪")
    assert titles("拉曼") == ["拉曼光谱仪"]
    for name in os.listdir(index.path):
        path = os.path.join(index.path, name)
        if damage == "toc" and name.endswith(".toc"):
            with open(path, "wb") as f:
                f.write(b"\x00garbage")
        elif damage == "segments" and (name.endswith(".seg") or name.endswith(".trm") or name.endswith(".pst")):
            os.remove(path)
        elif damage == "garbage" and name.endswith(".seg"):
            with open(path, "r+b") as f:
                f.seek(0)
                f.write(os.urandom(512))
    index.reset()
    with caplog.at_level("WARNING", logger="marketplace.search"):
        assert titles("拉曼") == ["拉曼光谱仪"]
    assert caplog.text  # the damage was reported
    assert index.check()["missing"] == []


def test_searchers_in_other_workers_see_new_commits(app, org, make_resource, titles):
    # a second app on the same database and index stands for another worker process
    from marketplace import create_app
    other = create_app({k: app.config[k] for k in ("TESTING", "SQLALCHEMY_DATABASE_URI", "SEARCH_INDEX_DIR",
                                                   "AUTO_INDEX", "SECRET_KEY")})
    make_resource("instrument", org, title="超速离心机")
    with other.app_context():
        client = other.test_client()
        get = lambda q: [i["title"] for i in client.get("/api/v1/search", query_string={"q": q}).get_json()["items"]]  # noqa: E731
        assert get("离心机") == ["超速离心机"]
        searcher = other.extensions["search"].searcher()
        get("离心机")
        assert other.extensions["search"].searcher() is searcher  # reused while the index is unchanged
    make_resource("instrument", org, title="台式离心机")
    with other.app_context():
        assert sorted(get("离心机")) == ["台式离心机", "超速离心机"]
        assert other.extensions["search"].searcher() is not searcher  # refreshed, not reopened per query
        db.session.remove()
        db.engine.dispose()


def test_busy_index_queues_the_change_and_retries(app, org, make_resource, index, titles):
    make_resource("instrument", org, title="三坐标测量机")
    app.config["SEARCH_WRITE_TIMEOUT"] = 0.05
    lock = index.ix.lock("WRITELOCK")
    assert lock.acquire()
    try:
        make_resource("instrument", org, title="电磁兼容测试系统")  # commit succeeds, index is busy
        assert titles("电磁兼容") == []
    finally:
        lock.release()
    assert index.wait_idle(10)
    assert titles("EMC") == ["电磁兼容测试系统"]


# -- several processes writing at once --------------------------------------------------------------

def _index_in_process(db_url, index_dir, ids, barrier, errors):
    try:
        from marketplace import create_app
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": db_url, "SEARCH_INDEX_DIR": index_dir,
                          "AUTO_INDEX": True, "SEARCH_WRITE_TIMEOUT": 30.0})
        with app.app_context():
            svc = app.extensions["search"]
            barrier.wait(30)
            for i in range(0, len(ids), 3):  # many small commits, like web requests
                svc.apply({"resource": set(ids[i:i + 3])})
            assert svc.wait_idle(60)
    except BaseException as err:  # reported to the parent
        errors.put(repr(err))


@pytest.mark.slow
def test_two_processes_index_at_once(app, org, make_resource, index):
    app.config["AUTO_INDEX"] = False
    made = [make_resource("instrument", org, title=f"并发写入仪器{n:03d}", model=f"RACE-{n:03d}") for n in range(60)]
    ids = [r.id for r in made]
    index.create_empty()  # an empty index: only the two processes fill it
    index.reset()
    assert index.doc_count() == 0
    ctx = multiprocessing.get_context("spawn")
    barrier, errors = ctx.Barrier(2), ctx.Queue()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    procs = [ctx.Process(target=_index_in_process, args=(url, index.path, part, barrier, errors))
             for part in (ids[0::2], ids[1::2])]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert all(p.exitcode == 0 for p in procs)
    assert errors.empty(), errors.get()
    index.reset()
    assert index.doc_count() == 60
    assert index.check() == {"missing": [], "stale": [], "extra": [], "indexed": 60, "expected": 60}


def test_rebuild_if_stale_skips_a_current_index_and_rebuilds_a_stale_one(app, org, make_resource, runner, index,
                                                                          titles):
    make_resource("instrument", org, title="激光粒度仪")
    result = runner.invoke(args=["search", "rebuild", "--if-stale"])
    assert result.exit_code == 0 and "无需重建" in result.output and "已索引" not in result.output
    app.config["AUTO_INDEX"] = False
    make_resource("instrument", org, title="同步热分析仪")
    app.config["AUTO_INDEX"] = True
    assert titles("同步热分析仪") == []
    result = runner.invoke(args=["search", "rebuild", "--if-stale"])
    assert result.exit_code == 0 and "已索引 2 条" in result.output
    assert titles("同步热分析仪") == ["同步热分析仪"]


def test_threads_share_a_generation_s_answers_and_all_see_a_commit(org, make_user, make_resource, app):
    # each thread has its own searcher; what one index generation answers is shared between them,
    # so it must never outlive the generation: after a commit every thread sees the change
    import threading

    from marketplace.search import services

    def search_in_thread(q):
        out = []

        def run():
            with app.test_request_context("/search"):
                out.append(services.search(services.parse_args({"q": q, "sort": "newest"})))
        t = threading.Thread(target=run)
        t.start()
        t.join()
        return [(i["title"], i["city"]) for i in out[0]["items"]], out[0]["facets"]["city"]

    reviewer = make_user(roles=("reviewer",))
    r = make_resource("instrument", org, title="扫描探针显微镜", city="南京")
    make_resource("instrument", org, title="扫描探针显微镜 二号", city="苏州")
    first = search_in_thread("扫描探针")
    assert first == search_in_thread("扫描探针")  # another thread, the same generation, the same answer
    assert first[1] == {"南京": 1, "苏州": 1}
    catalog.take_offline(r, actor=reviewer)
    db.session.commit()
    assert search_in_thread("扫描探针") == ([("扫描探针显微镜 二号", "苏州")], {"苏州": 1})
