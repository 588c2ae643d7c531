"""The soak's report: requests split into phases by the fault timeline, and the invariants checked after.

Phases: `fault:NAME` from a fault's start to FAULT_GRACE_S after its end (requests begun while it
lasted finish then), `recovery` the RECOVERY_S after that, `steady` everything else. A request fails
when it got no answer or a 5xx; inside a fault window a 503 carrying Retry-After is the expected answer.
`ok`: steady and recovery phases have no failure and p95 ≤ P95_LIMIT_MS in every request class, fault
phases only failures-free answers or 503 with Retry-After, and every invariant holds.
"""
import json
import subprocess
import sys
import time
from collections import Counter, defaultdict

import sqlalchemy as sa

FAULT_GRACE_S = 5.0
RECOVERY_S = 15.0
P95_LIMIT_MS = 300.0
ACTIVE = ("requested", "approved", "in_use")


def _pct(values, q):
    if not values:
        return 0.0
    values = sorted(values)
    return round(values[min(len(values) - 1, int(q * len(values)))], 1)


def _phase(start, timeline, finish=None):
    """The phase of a request begun at `start` and answered at `finish` (seconds into the run): a fault's
    when the two overlap its window (a request in flight when the fault began meets it too)."""
    finish = start if finish is None else finish
    for f in timeline:
        end = f["at_s"] + f["duration_s"]
        if start <= end + FAULT_GRACE_S and finish >= f["at_s"]:
            return f"fault:{f['name']}"
    for f in timeline:
        end = f["at_s"] + f["duration_s"] + FAULT_GRACE_S
        if end < start <= end + RECOVERY_S:
            return "recovery"
    return "steady"


def _summary(rows, in_fault):
    ms = [r["ms"] for r in rows]
    failures = sum(1 for r in rows if _failed(r, in_fault))
    return {"requests": len(rows), "failures": failures, "p50_ms": _pct(ms, 0.50), "p95_ms": _pct(ms, 0.95),
            "p99_ms": _pct(ms, 0.99), "status_counts": dict(Counter(str(r["status"]) for r in rows))}


def _failed(row, in_fault):
    if in_fault and row["status"] == 503 and row["retry_after"]:
        return False
    return row["status"] == 0 or row["status"] >= 500


def analyse(events_file, started, users, seconds, timeline) -> dict:
    rows = [json.loads(line) for line in open(events_file, encoding="utf-8") if line.strip()]
    requests = [r for r in rows if "ack" not in r]
    by_phase = defaultdict(list)
    for r in requests:
        by_phase[_phase(r["t"] - r["ms"] / 1000 - started, timeline, r["t"] - started)].append(r)
    phases, ok = [], True
    for name in ["steady"] + [f"fault:{f['name']}" for f in timeline] + ["recovery"]:
        if name not in by_phase or any(p["name"] == name for p in phases):
            continue
        in_fault = name.startswith("fault:")
        phase = {"name": name, **_summary(by_phase[name], in_fault)}
        classes = defaultdict(list)
        for r in by_phase[name]:
            classes[r["name"]].append(r)
        phase["classes"] = {c: _summary(rs, in_fault) for c, rs in sorted(classes.items())}
        if phase["failures"]:
            ok = False
        if not in_fault and any(c["p95_ms"] > P95_LIMIT_MS for c in phase["classes"].values()):
            ok = False
        phases.append(phase)
    acks = Counter(r["ack"] for r in rows if "ack" in r)
    return {"users": users, "seconds": seconds, "faults": timeline, "phases": phases,
            "acknowledged": dict(acks), "phases_ok": ok}


def check_invariants(stack, events_file) -> dict:
    """Run against the stack while it is still up: wait for the job outbox to drain, then check."""
    acks = defaultdict(set)
    for line in open(events_file, encoding="utf-8"):
        row = json.loads(line)
        if "ack" in row:
            acks[row["ack"]].add(row["id"])
    engine = sa.create_engine(stack.pg.url)
    deadline = time.time() + 90
    with engine.connect() as conn:
        while conn.scalar(sa.text("SELECT count(*) FROM job_outbox")) and time.time() < deadline:
            conn.rollback()
            time.sleep(1)
        overlaps = conn.scalar(sa.text(
            f"SELECT count(*) FROM bookings a JOIN bookings b ON a.instrument_id = b.instrument_id AND a.id < b.id "
            f"AND a.status IN {ACTIVE} AND b.status IN {ACTIVE} AND a.start < b.\"end\" AND b.start < a.\"end\""))
        bookings = set(conn.scalars(sa.text("SELECT id FROM bookings WHERE purpose = 'soak 压力测试'")))
        deals = set(conn.scalars(sa.text("SELECT id FROM trading_deals")))
        uploads = dict(conn.execute(sa.text("SELECT id, stored_name FROM uploads")).all())
        # each thing paid (a booking, a bill, a deal instalment) at most one live payment, each payment
        # posted to the ledger at most once (a bill's payment: once per booking on the bill)
        paid_twice = conn.scalar(sa.text(
            "SELECT count(*) FROM (SELECT purpose, coalesce(booking_id, bill_id, instalment_id) FROM payments "
            "WHERE status IN ('succeeded', 'refunded') GROUP BY 1, 2 HAVING count(*) > 1) x"))
        posted_twice = conn.scalar(sa.text(
            "SELECT count(*) FROM (SELECT payment_id, booking_id FROM journal_entries WHERE kind = 'payment' "
            "AND payment_id IS NOT NULL GROUP BY 1, 2 HAVING count(*) > 1) x"))
        settled_bookings = set(conn.scalars(sa.text(
            "SELECT b.id FROM bookings b JOIN payments p ON p.booking_id = b.id AND p.status = 'succeeded' "
            "WHERE b.status = 'settled'")))
        paid_bills = set(conn.scalars(sa.text(
            "SELECT b.id FROM billing_bills b JOIN payments p ON p.bill_id = b.id AND p.status = 'succeeded' "
            "WHERE b.status = 'paid'")))
        debits, credits = conn.execute(sa.text(
            "SELECT coalesce(sum(debit), 0), coalesce(sum(credit), 0) FROM journal_lines")).one()
        outbox = conn.scalar(sa.text("SELECT count(*) FROM job_outbox"))
        if outbox:  # what did not drain, and since when: the first thing to read when this fails
            for name, n, since in conn.execute(sa.text(
                    "SELECT name, count(*), min(created_at) FROM job_outbox GROUP BY name ORDER BY 2 DESC")):
                print(f"left in the outbox: {n} × {name} (oldest {since})")
    engine.dispose()
    gateway_twice = _gateway_captured_twice(stack)
    print(f"paid twice: {paid_twice} in the database, {posted_twice} posted twice, {gateway_twice} at the gateway")
    upload_dir = stack.env["UPLOAD_DIR"]
    import os
    files_ok = all(os.path.isfile(os.path.join(upload_dir, uploads[i][:2], uploads[i])) for i in acks["upload"]
                   if i in uploads)
    check = subprocess.run([sys.executable, "-m", "flask", "--app", "marketplace", "search", "check"], env=stack.env,
                           capture_output=True, text=True, timeout=300)
    return {
        "no_overlapping_active_bookings": overlaps == 0,
        "acknowledged_bookings_exist": acks["booking"] <= bookings,
        "acknowledged_deals_exist": acks["deal"] <= deals,
        "acknowledged_uploads_exist": acks["upload"] <= set(uploads) and files_ok,
        "acknowledged_payments_settled": acks["booking_paid"] <= settled_bookings and acks["bill_paid"] <= paid_bills,
        "nothing_paid_twice": paid_twice == 0 and posted_twice == 0 and gateway_twice == 0,
        "trial_balance_zero": int(debits) == int(credits),
        "job_outbox_empty": outbox == 0,
        "search_check_clean": check.returncode == 0,
        "counts_match_acknowledged": len(bookings) == len(acks["booking"]),
    }


def _gateway_captured_twice(stack) -> int:
    """The gateway's side: bookings and bills with two succeeded PaymentIntents (of what the gateway still
    holds: a gateway restart in the soak forgets what came before)."""
    import requests
    seen, after = Counter(), None
    while True:
        params = {"limit": 100, **({"starting_after": after} if after else {})}
        resp = requests.get(f"{stack.env['STRIPE_API_BASE']}/v1/payment_intents", params=params, timeout=30,
                            auth=(stack.env.get("STRIPE_SECRET_KEY", "sk_test_localstripe"), ""))
        resp.raise_for_status()
        page = resp.json()
        for pi in page["data"]:
            meta = pi.get("metadata") or {}
            target = ("booking", meta.get("booking_id")) if meta.get("booking_id") else ("bill", meta.get("bill_id"))
            if pi["status"] == "succeeded" and target[1]:
                seen[target] += 1
        if not page.get("has_more") or not page["data"]:
            break
        after = page["data"][-1]["id"]
    return sum(1 for n in seen.values() if n > 1)


def print_table(report):
    print(f"\nsoak: {report['users']} users, {report['seconds']} s; faults: "
          + (", ".join(f"{f['name']}@{f['at_s']}s for {f['duration_s']}s" for f in report["faults"]) or "none"))
    print(f"{'phase / request class':<34}{'requests':>9}{'failed':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}  statuses")
    for phase in report["phases"]:
        print(f"{phase['name']:<34}{phase['requests']:>9}{phase['failures']:>8}{phase['p50_ms']:>9}"
              f"{phase['p95_ms']:>9}{phase['p99_ms']:>9}  {phase['status_counts']}")
        for name, c in phase["classes"].items():
            print(f"  {name:<32}{c['requests']:>9}{c['failures']:>8}{c['p50_ms']:>9}{c['p95_ms']:>9}{c['p99_ms']:>9}")
    print(f"acknowledged: {report.get('acknowledged')}")
    if report.get("start_up_s"):
        print("start-up (s): " + ", ".join(f"{k} {v}" for k, v in report["start_up_s"].items()))
    for name, held in report["invariants"].items():
        print(f"  {'✓' if held else '✗'} {name}")
    print("OK" if report["ok"] else "NOT OK")
