"""Jobs in both modes (see conftest's `app`): in-process after the commit (no broker configured) and
through the machine's Redis, run by RQ's worker — in this process, and as `flask worker` in another."""
import os
import subprocess
import sys
from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.core import jobs
from marketplace.core.models import OutboxJob
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db
from marketplace.notifications.models import Notification
from tests.booking.conftest import iso, slot

from .conftest import queued, run_worker

TEST_SECRET = "test-secret-long-enough-for-production-checks"  # >= 32 bytes: flask refuses less

ATTEMPTS: list[str] = []


def always_fails(tag: str) -> None:
    """A job whose every run fails (the mail server is down)."""
    ATTEMPTS.append(tag)
    raise RuntimeError(f"mail server down ({tag})")


def subjects(user) -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Notification.subject).where(Notification.user_id == user.id)
                                   .order_by(Notification.id)))


def worker_env(app, tmp_path) -> dict:
    """The environment of a `flask worker` process on this test's database and queue."""
    return dict(os.environ, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], SECRET_KEY=TEST_SECRET,
                JOBS_BROKER_URL=app.config["JOBS_BROKER_URL"], JOBS_QUEUE=app.config["JOBS_QUEUE"],
                MAIL_BACKEND="log", SEARCH_INDEX_DIR=str(tmp_path / "worker-index"),
                UPLOAD_DIR=str(tmp_path / "uploads"))


def outbox_names() -> list[str]:
    db.session.rollback()  # a fresh snapshot: the jobs ran in sessions of their own
    return list(db.session.scalars(sa.select(OutboxJob.name).order_by(OutboxJob.id)))


def request_booking(client, api_token, instrument, user):
    s, e = slot(hh=9)
    resp = client.post("/api/v1/bookings", headers=api_token(user), json={
        "instrument_id": instrument.id, "start": iso(s), "end": iso(e), "purpose": "表面形貌观察"})
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def test_a_booking_request_reaches_the_provider_by_notification_and_mail(
        app, client, api_token, instrument, company_user, lab_user, outbox):
    request_booking(client, api_token, instrument, company_user)
    if queued(app):  # nothing was sent inside the request: the job waits in the outbox, a drain is queued
        assert subjects(lab_user) == [] and outbox == []
        assert outbox_names() == ["marketplace.booking.services.requests:notify_requested"]
        assert jobs.queue(app).count == 1
        run_worker(app)
        assert outbox_names() == []
    assert subjects(lab_user) == ["新的预约申请：场发射扫描电镜"]
    assert [m["to"] for m in outbox] == ["lab@test.cn"]
    assert "企业用户 申请预约 场发射扫描电镜" in outbox[0]["body"] and "表面形貌观察" in outbox[0]["body"]
    assert subjects(company_user) == []  # not approved yet: the user hears nothing


def test_a_failing_job_is_retried_and_recorded(app, caplog):
    ATTEMPTS.clear()
    db.session.execute(sa.text("SELECT 1"))
    jobs.enqueue(always_fails, "invitation")
    with caplog.at_level("ERROR", logger="marketplace.jobs"):
        db.session.commit()  # the job goes when the transaction commits
        if queued(app):
            run_worker(app)
    if queued(app):
        assert ATTEMPTS == ["invitation"] * 3  # the first run and JOBS_RETRIES=2 retries
        failed = jobs.failed_jobs(app)
        assert [j.args[0] for j in failed] == ["tests.jobs.test_jobs:always_fails"]
        assert "mail server down (invitation)" in failed[0].latest_result().exc_string
    else:  # in-process: one run, logged; the request that committed is not disturbed
        assert ATTEMPTS == ["invitation"]
        assert "job tests.jobs.test_jobs:always_fails failed" in caplog.text


def test_a_rolled_back_transaction_queues_nothing(app):
    ATTEMPTS.clear()
    db.session.execute(sa.text("SELECT 1"))
    jobs.enqueue(always_fails, "never")
    db.session.rollback()
    db.session.commit()
    if queued(app):
        assert jobs.queue(app).count == 0
    assert ATTEMPTS == []


def test_only_module_level_functions_are_jobs(app):
    with pytest.raises(ValueError):
        jobs.enqueue(lambda: None)


def test_the_no_show_sweep_runs_as_a_scheduled_job(app, instrument, company_user, make_booking):
    start = utcnow().replace(microsecond=0) - timedelta(hours=2)
    booking = make_booking(instrument, company_user, start, start + timedelta(hours=1), status="approved")
    entry = next(p for p in jobs.SCHEDULE if p.name == "booking-no-shows")
    if queued(app):
        from rq.utils import now
        scheduler = jobs.make_scheduler(app)
        queue = app.config["JOBS_QUEUE"]
        assert {j.name for j in scheduler.get_jobs()} == {f"{queue}:{p.name}" for p in jobs.SCHEDULE}
        cron = next(j for j in scheduler.get_jobs() if j.name == f"{queue}:{entry.name}")
        assert cron.cron == "*/5 * * * *"
        cron.next_enqueue_time = now() - timedelta(seconds=1)  # its time has come
        assert [j.name for j in scheduler.enqueue_jobs()] == [cron.name]  # the others wait for theirs
        run_worker(app)
    else:  # without a broker there is no scheduler process: the same job runs when dispatched
        jobs.dispatch(app, entry.func)
    db.session.expire_all()
    assert db.session.get(type(booking), booking.id).status == "no_show"
    assert subjects(company_user) == ["预约爽约：场发射扫描电镜"]


@pytest.mark.parametrize("app", ["redis"], indirect=True)
@pytest.mark.smoke
def test_the_worker_command_runs_the_queue_in_its_own_process(app, client, api_token, instrument, company_user,
                                                               lab_user, tmp_path):
    request_booking(client, api_token, instrument, company_user)
    assert jobs.queue(app).count == 1
    env = worker_env(app, tmp_path)
    db.session.rollback()
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "marketplace", "worker", "--burst"],
                          env=env, capture_output=True, text=True, timeout=180)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert subjects(lab_user) == ["新的预约申请：场发射扫描电镜"]  # written by the worker's job
    assert "mail to=lab@test.cn subject=新的预约申请：场发射扫描电镜" in output  # its mail job, same worker
    assert jobs.queue(app).count == 0 and jobs.failed_jobs(app) == []


def test_the_worker_command_needs_a_broker(make_app):
    app = make_app()
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code != 0 and "JOBS_BROKER_URL" in result.output


@pytest.mark.parametrize("app", ["in-process"], indirect=True)
def test_with_the_broker_unreachable_jobs_run_in_process_rather_than_get_lost(
        app, client, api_token, instrument, company_user, lab_user, outbox, caplog):
    app.config["JOBS_BROKER_URL"] = "redis://127.0.0.1:9/1"  # nothing listens there
    with caplog.at_level("WARNING", logger="marketplace.jobs"):
        request_booking(client, api_token, instrument, company_user)
    assert "job broker unreachable" in caplog.text
    assert subjects(lab_user) == ["新的预约申请：场发射扫描电镜"]
    assert [m["to"] for m in outbox] == ["lab@test.cn"]


def spawns(tags: list[str]) -> None:
    """A job that hands work on (a notification's fan-out of mails)."""
    ATTEMPTS.append("parent")
    for tag in tags:
        jobs.enqueue(always_fails if tag.startswith("fail") else records, tag)


def records(tag: str) -> None:
    ATTEMPTS.append(tag)


def test_work_a_job_hands_on_runs_in_the_same_worker_and_only_a_failure_is_queued(app):
    ATTEMPTS.clear()
    db.session.execute(sa.text("SELECT 1"))
    jobs.enqueue(spawns, ["mail-1", "mail-2", "fail-3"])
    db.session.commit()
    if queued(app):
        assert jobs.queue(app).count == 1  # the parent alone: its sub-jobs wait for it to commit
        run_worker(app)
        # mail-1 and mail-2 ran after the parent in the worker; fail-3 failed there and was queued with
        # the retries it had left: three runs in all, as any job gets (the first and JOBS_RETRIES=2)
        assert ATTEMPTS == ["parent", "mail-1", "mail-2", "fail-3", "fail-3", "fail-3"]
        assert [j.args[0] for j in jobs.failed_jobs(app)] == ["tests.jobs.test_jobs:always_fails"]
        assert jobs.queue(app).count == 0
    else:
        assert ATTEMPTS == ["parent", "mail-1", "mail-2", "fail-3"]


@pytest.mark.parametrize("app", ["in-process, one connection"], indirect=True)
def test_an_in_process_job_runs_once_the_request_has_handed_its_connection_back(
        app, client, api_token, instrument, company_user, lab_user, outbox):
    headers, instrument_id = api_token(company_user), instrument.id
    db.session.rollback()  # the test's own reads give the one connection back before the request
    s, e = slot(hh=9)
    resp = client.post("/api/v1/bookings", headers=headers, json={
        "instrument_id": instrument_id, "start": iso(s), "end": iso(e), "purpose": "表面形貌观察"})
    assert resp.status_code == 201, resp.get_json()
    # the notification job opened a session of its own after the commit: with a second connection
    # needed while the request still held the first, it would have timed out and sent nothing
    assert subjects(lab_user) == ["新的预约申请：场发射扫描电镜"]
    assert [m["to"] for m in outbox] == ["lab@test.cn"]


def writes_then_fails(user_id: int, tag: str) -> None:
    """A job that writes (a notification), then fails: none of its runs may leave the write behind."""
    from marketplace.notifications.services import notify
    ATTEMPTS.append(tag)
    notify(db.session.get(type(ALICE[0]), user_id), f"写了一半 {tag}", "…")
    db.session.flush()
    raise RuntimeError("failed after writing")


ALICE: list = []


def test_a_failed_job_leaves_none_of_its_writes(app, company_user):
    ATTEMPTS.clear()
    ALICE[:] = [company_user]
    jobs.enqueue(writes_then_fails, company_user.id, "half")
    db.session.commit()
    if queued(app):
        run_worker(app)
        assert ATTEMPTS == ["half"] * 3 and outbox_names() == []  # handed to RQ, which retried it twice
    else:
        assert ATTEMPTS == ["half"]
    assert subjects(company_user) == []


@pytest.mark.parametrize("app", ["redis"], indirect=True)
def test_a_job_whose_wake_up_was_lost_runs_at_the_minutely_drain(app):
    """The web process dies after the commit, before it queues the drain: the job is in the outbox,
    and the scheduler's `jobs-outbox` entry runs it."""
    ATTEMPTS.clear()
    jobs.enqueue(records, "kept")
    db.session.commit()
    jobs.queue(app).empty()  # the wake-up never reached Redis
    jobs.connection(app).delete(jobs._wake_key(app))
    assert outbox_names() == ["tests.jobs.test_jobs:records"]
    from rq.utils import now
    scheduler = jobs.make_scheduler(app)
    cron = next(j for j in scheduler.get_jobs() if j.name.endswith(":jobs-outbox"))
    assert cron.cron == "* * * * *"
    cron.next_enqueue_time = now() - timedelta(seconds=1)
    scheduler.enqueue_jobs()
    run_worker(app)
    assert ATTEMPTS == ["kept"] and outbox_names() == []


@pytest.mark.slow
@pytest.mark.parametrize("app", ["redis"], indirect=True)
def test_two_workers_draining_at_once_run_every_job_exactly_once(app):
    """Real threads, each draining with its own connection: a claimed row is skipped by the other
    (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: one writer at a time), none is run twice or left."""
    import threading
    ATTEMPTS.clear()
    for i in range(120):
        jobs.enqueue(records, f"job-{i}")
    db.session.commit()
    jobs.queue(app).empty()  # the two drains below stand in for the queued one
    ran = []

    def drain():
        with app.app_context():
            ran.append(jobs.drain_outbox(app.config["JOBS_QUEUE"]))

    threads = [threading.Thread(target=drain) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sorted(ATTEMPTS) == sorted(f"job-{i}" for i in range(120))
    assert sum(ran) == 120 and outbox_names() == []


def waits_for_kill(marker: str) -> None:
    """A job whose first run signals it has started (the file), then runs until its worker is killed;
    a later run finds the file and finishes."""
    import pathlib
    import time
    if pathlib.Path(marker).exists():
        ATTEMPTS.append("resumed")
        return
    pathlib.Path(marker).write_text("started")
    time.sleep(120)


@pytest.mark.slow
@pytest.mark.parametrize("app", ["redis"], indirect=True)
def test_a_worker_killed_mid_job_loses_nothing(app, tmp_path):
    """kill -9 a worker while it runs a job: the job's claim dies with its transaction, the row is
    still in the outbox and the next drain runs the jobs that were waiting, the killed one included."""
    import signal
    import time
    ATTEMPTS.clear()
    marker = tmp_path / "started"
    jobs.enqueue(waits_for_kill, str(marker))
    jobs.enqueue(records, "after")
    db.session.commit()
    env = worker_env(app, tmp_path)
    db.session.rollback()
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "marketplace", "worker", "--burst"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert worker.poll() is None and time.monotonic() < deadline, "the worker never started the job"
            time.sleep(0.1)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(30)
    assert outbox_names() == ["tests.jobs.test_jobs:waits_for_kill", "tests.jobs.test_jobs:records"]
    assert ATTEMPTS == []
    with app.app_context():  # the next drain (the minutely one, or the next commit's)
        assert jobs.drain_outbox(app.config["JOBS_QUEUE"]) == 2
    assert ATTEMPTS == ["resumed", "after"] and outbox_names() == []


def marks_once(tag: str, marker_dir: str) -> None:
    """A job with a write (a notification to the first user) that also leaves a file per run."""
    import pathlib

    from marketplace.accounts.models import User
    from marketplace.notifications.services import notify
    pathlib.Path(marker_dir, f"{tag}.{os.getpid()}").write_text("ran")
    notify(db.session.scalars(sa.select(User).order_by(User.id)).first(), f"批量 {tag}", "…")


@pytest.mark.slow
@pytest.mark.parametrize("app", ["redis"], indirect=True)
def test_a_worker_killed_mid_batch_commits_none_of_the_batch_and_the_next_drain_runs_each_job_once(
        app, company_user, tmp_path):
    """kill -9 a real `flask worker` while a batch is half run: the jobs before the kill ran in the
    batch's transaction, which never committed, so none of their notifications exist and every row is
    back in the outbox; the next drain runs each of them once (one notification each)."""
    import signal
    import time
    ATTEMPTS.clear()
    runs = tmp_path / "runs"
    runs.mkdir()
    marker = tmp_path / "started"
    for i in range(3):
        jobs.enqueue(marks_once, f"before-{i}", str(runs))
    jobs.enqueue(waits_for_kill, str(marker))
    for i in range(3):
        jobs.enqueue(marks_once, f"after-{i}", str(runs))
    db.session.commit()
    env = dict(worker_env(app, tmp_path), JOBS_BATCH="10")
    db.session.rollback()
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "marketplace", "worker", "--burst"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert worker.poll() is None and time.monotonic() < deadline, "the worker never started the job"
            time.sleep(0.1)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(30)
    assert sorted(p.name.split(".")[0] for p in runs.iterdir()) == ["before-0", "before-1", "before-2"]
    assert subjects(company_user) == []  # the killed batch committed nothing
    assert len(outbox_names()) == 7
    with app.app_context():
        assert jobs.drain_outbox(app.config["JOBS_QUEUE"]) == 7
    assert ATTEMPTS == ["resumed"] and outbox_names() == []
    assert subjects(company_user) == [f"批量 {t}-{i}" for t in ("before", "after") for i in range(3)]


def test_a_batch_keeps_the_jobs_that_succeeded_when_one_in_the_middle_fails(app, company_user):
    """Three jobs in one batch, the middle one writes and then fails: the others' notifications and
    mails stand, the failed one leaves nothing of its own and is retried by the queue."""
    ATTEMPTS.clear()
    ALICE[:] = [company_user]
    jobs.enqueue(records, "first")
    jobs.enqueue(writes_then_fails, company_user.id, "middle")
    jobs.enqueue(spawns, ["mail-a"])
    db.session.commit()
    if queued(app):
        assert len(outbox_names()) == 3
        run_worker(app)
        # the batch ran without savepoints until "middle" failed; it was rolled back (nothing of "first"
        # kept) and the others ran again a job at a time; then the queue retried "middle" twice
        assert ATTEMPTS == ["first", "middle", "first", "parent", "mail-a", "middle", "middle"]
        assert outbox_names() == []
        assert [j.args[0] for j in jobs.failed_jobs(app)] == ["tests.jobs.test_jobs:writes_then_fails"]
    else:
        assert ATTEMPTS == ["first", "middle", "parent", "mail-a"]
    assert subjects(company_user) == []


def notifies(user_id: int, tag: str) -> None:
    """A job with a write: a notification to the given user."""
    from marketplace.accounts.models import User
    from marketplace.notifications.services import notify
    ATTEMPTS.append(tag)
    notify(db.session.get(User, user_id), f"批量 {tag}", "…")


@jobs.own_transaction
def ends_its_reads_first(user_id: int, tag: str) -> None:
    """A job that rolls back its reads before it waits on the network, as a partner harvest does."""
    db.session.execute(sa.text("SELECT 1"))
    db.session.rollback()
    notifies(user_id, tag)


@pytest.mark.parametrize("app", ["redis"], indirect=True)
def test_a_job_that_ends_its_own_transaction_runs_alone_and_the_batch_around_it_keeps_its_writes(
        app, company_user):
    """Had the harvest run inside the batch, its rollback would have undone the batch's earlier jobs
    while their outbox rows were still deleted: those notifications would be lost. Every job's
    notification arrives exactly once."""
    ATTEMPTS.clear()
    jobs.enqueue(notifies, company_user.id, "before")
    jobs.enqueue(ends_its_reads_first, company_user.id, "harvest")
    jobs.enqueue(notifies, company_user.id, "after")
    db.session.commit()
    run_worker(app)
    assert sorted(subjects(company_user)) == ["批量 after", "批量 before", "批量 harvest"]
    assert sorted(ATTEMPTS) == ["after", "before", "harvest"] and outbox_names() == []


@jobs.sends_only
def sends(tag: str) -> None:
    """A job that only sends (a mail): what it did cannot be rolled back."""
    ATTEMPTS.append(tag)


def test_a_batch_run_again_after_a_failure_sends_its_mails_once_and_writes_once(app, company_user):
    """A mail, two jobs that write and one that fails in one batch: the batch is rolled back and run
    again around the failed job, yet the mail goes once and each notification exists once."""
    ATTEMPTS.clear()
    ALICE[:] = [company_user]
    jobs.enqueue(sends, "mail")
    jobs.enqueue(notifies, company_user.id, "kept")
    jobs.enqueue(writes_then_fails, company_user.id, "broken")
    jobs.enqueue(notifies, company_user.id, "also kept")
    db.session.commit()
    if queued(app):
        run_worker(app)
        assert outbox_names() == []
    assert ATTEMPTS.count("mail") == 1
    assert sorted(subjects(company_user)) == ["批量 also kept", "批量 kept"]
