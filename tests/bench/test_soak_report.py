"""The soak's verdict: requests are split by the fault timeline, a 503 with Retry-After is the expected
answer inside a fault window only, and a slow steady phase or any 5xx outside a window fails the soak."""
import json

from bench.soak_report import analyse

T0 = 1_000_000.0
DB_FAULT = [{"name": "db", "at_s": 30.0, "duration_s": 4.0}]


def _run(tmp_path, rows, timeline=DB_FAULT):
    events = tmp_path / "events.jsonl"
    events.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return analyse(events, T0, 20, 60, timeline)


def _req(at_s, status=200, ms=50.0, retry_after=False, name="page: home"):
    # the event is written when the answer arrives: t is the start plus the time taken
    return {"t": T0 + at_s + ms / 1000, "name": name, "status": status, "ms": ms, "retry_after": retry_after}


def test_503_with_retry_after_inside_the_window_is_no_failure(tmp_path):
    report = _run(tmp_path, [_req(5), _req(31, 503, retry_after=True), _req(33, 200), _req(45), {"ack": "booking",
                                                                                                 "id": 7, "t": T0}])
    phases = {p["name"]: p for p in report["phases"]}
    assert phases["fault:db"]["requests"] == 2 and phases["fault:db"]["failures"] == 0
    assert phases["fault:db"]["status_counts"] == {"503": 1, "200": 1}
    assert phases["recovery"]["requests"] == 1 and phases["steady"]["requests"] == 1
    assert report["acknowledged"] == {"booking": 1}
    assert report["phases_ok"]


def test_a_500_or_a_503_without_retry_after_fails(tmp_path):
    assert not _run(tmp_path, [_req(31, 503, retry_after=False)])["phases_ok"]
    assert not _run(tmp_path, [_req(31, 500)])["phases_ok"]
    assert not _run(tmp_path, [_req(10, 503, retry_after=True)])["phases_ok"]  # outside any fault
    assert not _run(tmp_path, [_req(10, 0)])["phases_ok"]  # no answer at all


def test_a_slow_request_class_in_steady_phases_fails_but_not_inside_a_fault(tmp_path):
    slow = [_req(i, ms=400.0, name="api: search") for i in range(1, 11)]
    assert not _run(tmp_path, slow)["phases_ok"]
    in_fault = [_req(30 + i / 10, ms=400.0, name="api: search") for i in range(1, 11)]
    report = _run(tmp_path, in_fault + [_req(58)])
    assert report["phases_ok"]
    assert report["phases"][0]["name"] == "steady"


def test_a_request_in_flight_when_the_fault_begins_belongs_to_the_fault(tmp_path):
    report = _run(tmp_path, [_req(29.5, 503, ms=1000.0, retry_after=True)])
    assert [p["name"] for p in report["phases"]] == ["fault:db"] and report["phases_ok"]
