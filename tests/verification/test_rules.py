"""The pure rules of verification: USCC, claim validity, effective flags, related parties."""
from datetime import date

import pytest

from marketplace.verification import rules
from marketplace.verification.rules import ClaimFact, OrgFacts, RuleError

from .conftest import make_uscc

TODAY = date(2026, 11, 28)
JS = make_uscc("320505", seed=1)          # Suzhou
SH = make_uscc("310104", seed=2)          # Shanghai


def test_uscc_check_character_and_layout():
    code = rules.parse_uscc(JS)
    assert code.code == JS and code.division == "320505" and code.in_province and len(code.root) == 9
    assert not rules.parse_uscc(SH).in_province
    # full-width digits and spaces typed by an IME are the same code
    wide = "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in JS)
    assert rules.parse_uscc(" " + wide[:9] + " " + wide[9:]).code == JS
    wrong = JS[:-1] + ("0" if JS[-1] != "0" else "1")
    with pytest.raises(RuleError) as err:
        rules.parse_uscc(wrong)
    assert err.value.code == "uscc_checksum" and err.value.field == "uscc"
    for bad in ("", "123", "9132050" + "５" * 11, "913205\ud80012345678X", "Ⅸ" * 18):
        with pytest.raises(RuleError):
            rules.parse_uscc(bad)


def test_uscc_root_survives_a_new_prefix():
    other = make_uscc("110108", org_code=JS[8:17], authority="52")
    assert rules.parse_uscc(other).root == rules.parse_uscc(JS).root
    assert other != JS


def test_sme_is_valid_for_the_calendar_year_of_its_number():
    v = rules.claim_validity("sme", "2026320500012345", uscc=JS, today=TODAY)
    assert (v.valid_from, v.valid_until) == (date(2026, 1, 1), date(2026, 12, 31))
    with pytest.raises(RuleError) as err:
        rules.claim_validity("sme", "2025320500012345", uscc=JS, today=TODAY)
    assert err.value.code == "expired"
    with pytest.raises(RuleError) as err:
        rules.claim_validity("sme", "2026320500012345", uscc=JS, today=TODAY, valid_until=date(2027, 6, 30))
    assert err.value.code == "sme_valid_until" and err.value.field == "valid_until"
    with pytest.raises(RuleError) as err:
        rules.claim_validity("sme", "2027320500012345", uscc=JS, today=TODAY)
    assert err.value.code == "not_yet_valid"
    for bad in ("", "abc", "20263205", "²⁰²⁶320500012345x!"):
        with pytest.raises(RuleError):
            rules.claim_validity("sme", bad, uscc=JS, today=TODAY)


def test_high_tech_is_valid_three_years_from_issue():
    v = rules.claim_validity("high_tech", "GR202432001234", uscc=JS, today=TODAY, issued_on=date(2024, 12, 10))
    assert (v.valid_from, v.valid_until) == (date(2024, 12, 10), date(2027, 12, 9))
    v2 = rules.claim_validity("high_tech", "gr202432001234", uscc=JS, today=TODAY, valid_until=date(2027, 12, 9))
    assert v2 == v
    with pytest.raises(RuleError) as err:  # issued in 2023: ended in 2026 before today
        rules.claim_validity("high_tech", "GR202332001234", uscc=JS, today=TODAY, issued_on=date(2023, 11, 1))
    assert err.value.code == "expired"
    with pytest.raises(RuleError) as err:  # a validity longer than three years
        rules.claim_validity("high_tech", "GR202432001234", uscc=JS, today=TODAY, issued_on=date(2024, 12, 10),
                             valid_until=date(2028, 12, 9))
    assert err.value.code == "high_tech_valid_until"
    with pytest.raises(RuleError) as err:
        rules.claim_validity("high_tech", "GR202432001234", uscc=JS, today=TODAY, issued_on=date(2025, 1, 2))
    assert err.value.code == "high_tech_issue_year"
    with pytest.raises(RuleError) as err:
        rules.claim_validity("high_tech", "GR202432001234", uscc=JS, today=TODAY)
    assert err.value.code == "high_tech_dates"


def test_in_province_comes_from_the_uscc():
    assert rules.claim_validity("in_province", None, uscc=JS, today=TODAY) == rules.Validity(JS, None, None)
    with pytest.raises(RuleError) as err:
        rules.claim_validity("in_province", None, uscc=SH, today=TODAY)
    assert err.value.code == "out_of_province"
    with pytest.raises(RuleError) as err:
        rules.claim_validity("in_province", make_uscc(seed=9), uscc=JS, today=TODAY)
    assert err.value.code == "in_province_number"


def claim(kind, status="verified", uscc=JS, start=None, end=None, **kw):
    return ClaimFact(kind=kind, status=status, uscc=uscc, valid_from=start, valid_until=end, **kw)


def test_only_verified_unexpired_claims_of_the_current_uscc_count():
    claims = [claim("in_province"), claim("sme", start=date(2026, 1, 1), end=date(2026, 12, 31)),
              claim("high_tech", status="claimed", start=date(2025, 1, 1), end=date(2027, 12, 31))]
    flags = rules.effective_flags(claims, JS, TODAY)
    assert (flags.in_province, flags.sme, flags.high_tech) == (True, True, False)
    assert flags["sme"].code == "verified" and flags["sme"].claim.valid_until == date(2026, 12, 31)
    assert flags["high_tech"].code == "pending"
    # next year the sme entry has expired
    later = rules.effective_flags(claims, JS, date(2027, 1, 1))
    assert (later.sme, later["sme"].code) == (False, "expired")
    # a new USCC voids the old verifications
    moved = rules.effective_flags(claims, make_uscc(seed=5), TODAY)
    assert moved["in_province"].code == "not_claimed" and moved["sme"].code == "uscc_changed"
    # self-declared nothing, no identity
    # in_province comes from a Jiangsu USCC itself; a rejected licence takes it away
    # A Jiangsu USCC typed with a right check digit is no proof: only a verified licence is (issue 25)
    derived = rules.effective_flags([], JS, TODAY)
    assert not derived.in_province and derived["in_province"].code == "not_claimed" and not derived.sme
    pending = rules.effective_flags([claim("in_province", status="claimed")], JS, TODAY)
    assert not pending.in_province and pending["in_province"].code == "pending"
    refused = rules.effective_flags([claim("in_province", status="rejected", reason="执照不符", id=3)], JS, TODAY)
    assert not refused.in_province and refused["in_province"].code == "rejected"
    assert rules.effective_flags([], SH, TODAY)["in_province"].code == "out_of_province"
    none = rules.effective_flags([], None, TODAY)
    assert not (none.in_province or none.sme or none.high_tech) and none["sme"].code == "no_identity"
    rejected = rules.effective_flags([claim("sme", status="rejected", start=date(2026, 1, 1),
                                            end=date(2026, 12, 31), reason="编号不符")], JS, TODAY)
    assert rejected["sme"].code == "rejected" and rejected["sme"].claim.reason == "编号不符"
    assert rules.effective_flags([claim("in_province", uscc=SH)], SH, TODAY)["in_province"].code == "out_of_province"


def test_related_parties():
    a = OrgFacts(id=1, uscc_root="123456789", legal_rep="张三", member_keys=frozenset({"13912345678"}))
    assert rules.related_reason(a, a) == "same_organisation"
    assert rules.related_reason(a, OrgFacts(id=2, lineage=(1,))) == "parent"
    assert rules.related_reason(OrgFacts(id=3, lineage=(9,)), OrgFacts(id=4, lineage=(8, 9))) == "same_parent"
    assert rules.related_reason(a, OrgFacts(id=5, uscc_root="123456789")) == "uscc_root"
    assert rules.related_reason(a, OrgFacts(id=6, legal_rep="张三")) == "legal_rep"
    assert rules.related_reason(a, OrgFacts(id=7, member_keys=frozenset({"13912345678"}))) == "shared_member"
    assert rules.related_reason(a, OrgFacts(id=8, uscc_root="987654321", legal_rep="李四")) is None
    # typed ID numbers are not verified: two different ones never clear one name (issue 25)
    x = OrgFacts(id=10, legal_rep="王伟", legal_rep_id="a" * 64)
    assert rules.related_reason(x, OrgFacts(id=11, legal_rep="王伟", legal_rep_id="b" * 64)) == "legal_rep"
    assert rules.related_reason(x, OrgFacts(id=14, legal_rep="李四", legal_rep_id="a" * 64)) == "legal_rep"
    assert rules.related_reason(x, OrgFacts(id=15, member_names=frozenset({"王伟"}))) == "legal_rep"
    assert rules.related_reason(x, OrgFacts(id=16, stake_orgs=frozenset({10}))) == "investor"
    assert rules.related_reason(x, OrgFacts(id=17, stake_people=frozenset({"王伟"}))) == "investor"
    assert rules.related_reason(x, OrgFacts(id=12, legal_rep="王伟", legal_rep_id="a" * 64)) == "legal_rep"
    assert rules.related_reason(x, OrgFacts(id=13, legal_rep="王伟")) == "legal_rep"


def test_keys():
    assert rules.person_key(" 张 三 ") == rules.person_key("张三")
    # zero-width characters, full-width letters and traditional characters make no other person (issue 25)
    assert rules.person_key("张\u200b三\u200d") == rules.person_key("\ufeff張三") == rules.person_key("张三")
    assert rules.person_key("吳大偉") == rules.person_key("吴大伟") and rules.person_key("\u200b") is None
    assert rules.person_key("Ｊｏｈｎ・Ｓｍｉｔｈ") == rules.person_key("john smith")
    assert rules.email_key("Zhang+shell@Test.cn") == rules.email_key("zhang@test.cn") == "zhang@test.cn"
    assert rules.email_key("not-an-address") is None
    assert rules.phone_key("+86 139-1234-5678") == rules.phone_key("13912345678") == "13912345678"
    assert rules.phone_key("123") is None
    assert rules.legal_rep_id_digest(None) is None
    with pytest.raises(RuleError):
        rules.legal_rep_id_digest("320102199001011234")  # wrong check digit
    from stdnum.cn import ric
    body = "32010219900101123"
    good = body + ric.calc_check_digit(body + "0")
    assert len(rules.legal_rep_id_digest(good)) == 64


def test_state_owned_comes_from_the_checked_uscc_and_a_box_only_adds_it():
    from stdnum.cn import uscc
    public = "12320000466007654" + uscc.calc_check_digit("12320000466007654")
    company = "91320500MA1MXXX01" + uscc.calc_check_digit("91320500MA1MXXX01")
    assert rules.state_owned(False, public, "enterprise")       # a public institution, box unticked
    assert not rules.state_owned(False, company, "university")  # a private university registered as a company
    assert rules.state_owned(True, company, "enterprise")       # a state-owned enterprise ticks the box
    assert rules.state_owned(False, None, "research_institute") and not rules.state_owned(False, None, "enterprise")
