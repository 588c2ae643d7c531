"""The pure generator: deterministic, covers every type in every city, values fit the models."""
import random
import re
from collections import Counter
from datetime import date, datetime

from marketplace.catalog.types import RESOURCE_TYPES, STATUSES
from marketplace.core.reference import CITIES, ORG_KINDS
from marketplace.demo.generator import (
    _USCC_CHARS,
    _USCC_WEIGHTS,
    credit_code,
    expand,
    generate_organisations,
    generate_resources,
    patent_number,
)

N = 1500




def test_same_seed_same_first_50(orgs):
    again = generate_organisations(random.Random(42))
    assert again == orgs
    first = list(generate_resources(50, 42, orgs))
    assert first == list(generate_resources(50, 42, again))
    # a longer run starts with the same 50
    assert list(generate_resources(200, 42, orgs))[:50] == first


def test_other_seed_differs(orgs):
    assert list(generate_resources(50, 7, orgs)) != list(generate_resources(50, 42, orgs))


def test_no_global_random(orgs):
    random.seed(1)
    a = list(generate_resources(20, 3, orgs))
    random.seed(2)
    assert list(generate_resources(20, 3, orgs)) == a


def test_organisations(orgs):
    names = [o["name"] for o in orgs]
    assert len(names) == len(set(names))
    keys = {o["key"] for o in orgs}
    assert len(keys) == len(orgs)
    seen = set()
    for o in orgs:
        assert o["kind"] in ORG_KINDS and o["city"] in CITIES and len(o["name"]) <= 120
        if o["parent"]:
            assert o["parent"] in seen, "parents come before their children"
        seen.add(o["key"])
    kinds_by_city = {(o["city"], o["kind"]) for o in orgs}
    for city in CITIES:
        for kind in ("university", "enterprise", "service_firm", "finance_institution", "incubator"):
            assert (city, kind) in kinds_by_city, (city, kind)
    demo = {o["demo"]: o for o in orgs if o["demo"]}
    assert demo["lab"]["name"] == "南京大学现代分析中心" and demo["lab"]["city"] == "南京" and demo["lab"]["parent"] == "nju"
    assert demo["company"]["kind"] == "enterprise" and demo["company"]["sme"] and demo["company"]["in_province"]
    assert demo["broker"]["kind"] == "service_firm"
    assert any(not o["in_province"] for o in orgs)
    assert {"南京大学", "东南大学", "江南大学", "中国矿业大学", "苏州大学", "江苏省产业技术研究院"} <= set(names)


def test_credit_codes_have_valid_check_character(orgs):
    for o in orgs:
        code = o["credit_code"]
        assert len(code) == 18 and all(ch in _USCC_CHARS for ch in code)
        s = sum(_USCC_CHARS.index(ch) * w for ch, w in zip(code[:17], _USCC_WEIGHTS, strict=True))
        assert _USCC_CHARS[(31 - s % 31) % 31] == code[17]
    assert credit_code(random.Random(1), "苏州")[2:6] == "3205"


def test_patent_number_format():
    number = patent_number(random.Random(5), 2023, 1)
    assert re.fullmatch(r"ZL20231\d{7}\.[0-9X]", number)
    # the check digit follows the SIPO rule, e.g. application 200310102344.5
    digits = "200310102344"
    assert sum(int(d) * w for d, w in zip(digits, (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5), strict=True)) % 11 == 5
    check = number[-1]
    body = number[2:14]
    s = sum(int(d) * w for d, w in zip(body, (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5), strict=True)) % 11
    assert check == ("X" if s == 10 else str(s))


def test_every_type_in_every_city_and_mix(rows):
    published = {(r["type"], r["city"]) for r in rows if r["status"] == "published"}
    assert published == {(t, c) for t in RESOURCE_TYPES for c in CITIES}
    counts = Counter(r["type"] for r in rows)
    assert counts.most_common(1)[0][0] == "instrument"
    statuses = Counter(r["status"] for r in rows)
    assert statuses["published"] > N * 0.75
    assert statuses["pending_review"] > 0 and statuses["draft"] > 0 and statuses["rejected"] > 0


def test_demo_lab_has_published_bookable_instruments(rows, orgs):
    lab = next(o for o in orgs if o["demo"] == "lab")
    mine = [r for r in rows if r["owner_key"] == lab["key"] and r["type"] == "instrument" and r["status"] == "published"]
    assert len(mine) >= 10 and sum(r["bookable"] for r in mine) >= 5


def test_titles_unique_and_vocabulary_varied(rows):
    assert len({r["title"] for r in rows}) == len(rows)
    words = Counter()
    for r in rows:
        words.update(re.findall(r"[\u4e00-\u9fff]{2,}", r["description"]))
    assert len(words) > 3000  # not a handful of words repeated


def test_values_fit_fields_and_constraints(rows, orgs):
    keys = {o["key"] for o in orgs}
    for r in rows:
        spec = RESOURCE_TYPES[r["type"]]
        assert r["status"] in STATUSES and r["city"] in CITIES and r["owner_key"] in keys
        assert 0 < len(r["title"]) <= 200 and len(r["summary"]) <= 500 and len(r["tags"]) <= 200
        assert len(r["discipline"]) <= 60 and len(r["contact_phone"]) <= 30
        assert "{" not in r["description"] and "}" not in r["description"]
        assert (r["reject_reason"] is not None) == (r["status"] == "rejected")
        assert (r["published_at"] is not None) == (r["status"] in ("published", "offline", "archived"))
        assert isinstance(r["created_at"], datetime) and r["updated_at"] >= r["created_at"]
        assert r["platforms"] == list(spec.platforms)
        for f in spec.fields:
            v = r[f.name]
            if v is None:
                assert not f.required, (r["type"], f.name)
                continue
            if f.kind in ("str", "choice", "multi"):
                assert isinstance(v, str) and len(v) <= (f.max_len if f.kind == "str" else 200), (f.name, v)
            if f.kind == "text":
                assert isinstance(v, str) and len(v) <= f.max_len
            if f.kind == "choice":
                assert v in f.choices, (f.name, v)
            if f.kind == "multi":
                assert all(part in f.choices for part in v.split(",")), (f.name, v)
            if f.kind in ("int", "money"):
                assert isinstance(v, int) and not isinstance(v, bool) and v >= 0
                if f.min is not None:
                    assert f.min <= v <= f.max, (f.name, v)
            if f.kind == "bool":
                assert isinstance(v, bool)
            if f.kind == "date":
                assert isinstance(v, date)


def test_instrument_rate_cards(rows):
    instruments = [r for r in rows if r["type"] == "instrument"]
    for r in instruments:
        assert 300_000_00 <= r["original_value"] <= 30_000_000_00
        assert 0 < r["internal_price"] < r["external_price"]
        assert r["internal_price"] % 100 == 0 and r["external_price"] % 100 == 0  # whole yuan
        if r["service_mode"] == "sample_submission":
            assert r["price_unit"] == "sample"
        if r["service_mode"] == "self_operated":
            assert r["price_unit"] == "hour"
        assert r["model"] in r["title"]
    assert len({r["category_l3"] for r in instruments}) > 20
    assert len({r["manufacturer"] for r in instruments}) > 30


def test_expand_templates():
    rng = random.Random(0)
    assert expand(rng, "{a|a}") == "a"
    assert expand(rng, "{x {#5-5} y|x {#5-5} y}") == "x 5 y"
    assert expand(rng, "{name}", {"name": "南京"}) == "南京"
    assert expand(rng, "{unknown}") == "{unknown}"
