"""Pure helpers of marketplace.core: money, time, state machines, pagination."""
from datetime import datetime

import pytest

from marketplace.core.errors import Conflict, Invalid
from marketplace.core.money import check_fen, format_fen, parse_yuan, percent_of
from marketplace.core.timeutil import isoformat, local_to_utc_naive, parse_iso, to_local


@pytest.mark.parametrize("fen, text", [(0, "¥0.00"), (5, "¥0.05"), (123450, "¥1,234.50"), (-990, "-¥9.90"),
                                       (10**12, "¥10,000,000,000.00"), (None, "—")])
def test_format_fen(fen, text):
    assert format_fen(fen) == text


@pytest.mark.parametrize("text, fen", [("1,234.5", 123450), ("¥ 88", 8800), ("0.005", 1), ("0.004", 0),
                                       (" 300.50 ", 30050), (12, 1200)])
def test_parse_yuan(text, fen):
    assert parse_yuan(text) == fen and isinstance(parse_yuan(text), int)


@pytest.mark.parametrize("text", ["", "abc", "NaN", "sNaN", "Infinity", "1e400", "-1", True, None, "1.2.3"])
def test_parse_yuan_refuses_nonsense(text):
    with pytest.raises(Invalid) as err:
        parse_yuan(text, "price")
    assert "price" in err.value.errors


@pytest.mark.parametrize("value", [1.5, "100", True, None, -1, 10**16])
def test_check_fen_refuses_non_integers_negatives_and_absurd_amounts(value):
    with pytest.raises(Invalid):
        check_fen(value)


def test_percent_of_rounds_half_up_in_integers():
    assert percent_of(10_000, 2000) == 2000
    assert percent_of(1, 5000) == 1  # 0.5 fen rounds up
    assert percent_of(1, 4999) == 0
    assert isinstance(percent_of(333, 3333), int)


def test_times_are_shown_and_serialised_in_shanghai():
    stored = datetime(2026, 3, 1, 16, 30)  # naive UTC
    assert to_local(stored).strftime("%Y-%m-%d %H:%M") == "2026-03-02 00:30"
    assert isoformat(stored) == "2026-03-02T00:30:00+08:00"
    assert parse_iso("2026-03-02T00:30:00+08:00", "start") == stored
    assert parse_iso("2026-03-01T16:30:00Z", "start") == stored
    assert local_to_utc_naive(datetime(2026, 3, 2, 0, 30)) == stored


@pytest.mark.parametrize("text", ["2026-03-02T00:30:00", "tomorrow", "", 1700000000, None, "x" * 100])
def test_parse_iso_requires_an_offset(text):
    with pytest.raises(Invalid) as err:
        parse_iso(text, "start")
    assert "start" in err.value.errors


def test_state_machine_applies_allowed_moves_audited_and_refuses_others(app, make_user, make_org, make_resource):
    from marketplace.core.audit import history
    from marketplace.core.statemachine import StateMachine
    from marketplace.extensions import db

    # an instrument's status lives in its base table (resources): the move updates that row
    machine = StateMachine("thing", {"draft": {"pending_review"}, "pending_review": set()})
    actor = make_user()
    thing = make_resource("instrument", make_org(), status="draft")
    with pytest.raises(Conflict):
        machine.apply(thing, "draft", actor=actor)
    machine.apply(thing, "pending_review", actor=actor, comment="完成")
    with pytest.raises(Conflict):
        machine.apply(thing, "draft", actor=actor)
    db.session.commit()
    db.session.expire_all()
    assert thing.status == "pending_review"
    assert [(h.action, h.from_state, h.to_state, h.actor_id, h.comment) for h in history("thing", thing.id)] == \
        [("pending_review", "draft", "pending_review", actor.id, "完成")]


def test_state_machine_refuses_a_move_someone_else_made_first(app, make_user, make_org, make_resource):
    """The move is conditional on the state the object was read in: if another transaction moved the
    row meanwhile, this one is refused and changes nothing."""
    import sqlalchemy as sa

    from marketplace.catalog.models import Resource
    from marketplace.core.statemachine import StateMachine
    from marketplace.extensions import db

    machine = StateMachine("thing", {"draft": {"pending_review", "archived"}, "pending_review": set(),
                                     "archived": set()})
    thing = make_resource("instrument", make_org(), status="draft")
    # someone else archives it behind this session's back (this session still holds "draft")
    db.session.execute(sa.update(Resource).where(Resource.id == thing.id).values(status="archived")
                       .execution_options(synchronize_session=False))
    with pytest.raises(Conflict):
        machine.apply(thing, "pending_review", actor=make_user())
    assert db.session.scalar(sa.select(Resource.status).where(Resource.id == thing.id)) == "archived"


@pytest.mark.parametrize("args, expected", [({}, (1, 20)), ({"page": "3", "per_page": "5"}, (3, 5)),
                                            ({"per_page": "5000"}, (1, 100))])
def test_page_args(app, args, expected):
    from marketplace.core.pagination import page_args
    assert page_args(args) == expected


@pytest.mark.parametrize("args", [{"per_page": "-1"}, {"per_page": "x"}, {"per_page": "9" * 30}])
def test_page_args_refuses_nonsense(app, args):
    from marketplace.core.pagination import page_args
    with pytest.raises(Invalid):
        page_args(args)


@pytest.mark.parametrize("args, page", [({"page": "0"}, 1), ({"page": "x"}, 1), ({"page": "-1"}, 1),
                                        ({"page": "9" * 30}, 1_000_000)])
def test_page_args_forgives_a_typed_page_number(app, args, page):
    from marketplace.core.pagination import page_args
    assert page_args(args) == (page, 20)


@pytest.mark.parametrize("target, expected", [
    ("/my/resources?page=2", "/my/resources?page=2"),
    ("http://localhost/resources?type=instrument", "http://localhost/resources?type=instrument"),  # referrer
    ("https://evil.example/", "/fallback"), ("//evil.example/x", "/fallback"),
    ("/\\evil.example", "/fallback"), ("/\t/evil.example/", "/fallback"), ("/\r\nLocation: x", "/fallback"),
    ("/\n/evil.example", "/fallback"), ("javascript:alert(1)", "/fallback"), ("resources", "/fallback"),
    ("", "/fallback"), (None, "/fallback"), ("http://localhost.evil.example/", "/fallback"),
])
def test_safe_next_only_returns_pages_of_this_site(app, target, expected):
    from marketplace.core.web import safe_next

    with app.test_request_context("/", base_url="http://localhost"):
        assert safe_next(target, "/fallback") == expected


def test_validated_service_parameters_refuse_what_they_do_not_declare(app):
    """core.schema's Moment, LocalDay, note and token: a service names the wrong parameter (a 422 next to
    the field) instead of comparing a string with a time; a stranger's token is simply not one."""
    from datetime import date

    from marketplace.core.schema import LocalDay, Moment, conform, note, token, validated

    @validated
    def book(start: Moment, day: LocalDay | None = None, reason: note(10) = "", *, actor):
        return start, day, reason

    moment = datetime(2026, 12, 1, 2, 0)
    assert book(moment, None, None, actor=None) == (moment, None, "")
    assert book(moment, date(2026, 12, 1), "  ok ", actor=None)[2] == "ok"
    for bad in ({"start": "2026-12-01T10:00"}, {"start": None}, {"day": moment}, {"day": "2026-12-01"},
                {"reason": 5}, {"reason": "x" * 11}, {"reason": "a\x00b"}):
        with pytest.raises(Invalid) as err, app.test_request_context():
            book(**{"start": moment, **bad}, actor=None)
        assert list(err.value.errors) == list(bad), err.value.errors
    assert conform(token(100, 20), "A" * 43) == "A" * 43
    assert [conform(token(100, 20), v) for v in ("short", "A" * 101, "é" * 30, 12345678901234567890, None)] == [None] * 5
