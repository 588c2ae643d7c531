"""Verified organisations as pure functions (no app, no database).

- `parse_uscc`: a unified social credit code (GB 32100-2015) checked with `stdnum.cn.uscc`.
  Layout: [1] registration authority (1 organs, 5 civil affairs, 9 market regulation, ...),
  [2] organisation type, [3-8] the registering authority's administrative division (GB/T 2260; 32xxxx =
  Jiangsu), [9-17] the organisation code (GB 11714, the old 组织机构代码), [18] check character.
- The **USCC root** is the 9-character organisation code [9-17]: it identifies the legal subject
  nationally and survives a move to another district, a change of registering authority or of
  organisation type. Two USCCs with one root are one subject registered twice (a second account made
  by re-prefixing one's own code, which yields another valid check character), hence related parties.
- `claim_validity`: the validity of a claimed qualification from its number (sme: the calendar year of
  its 入库登记编号; high_tech: three years from the certificate's issue; in_province: the USCC itself).
- `effective_flags`: an organisation's subsidy flags on a day, each with the reason it applies or not:
  sme and high_tech from verified, unexpired qualifications of its current USCC only; in_province from
  a Jiangsu USCC whose business licence a reviewer verified (never from the typed code alone).
- `related_reason`: why two organisations are related parties (or None).
"""
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from stdnum.cn import ric as _ric
from stdnum.cn import uscc as _uscc
from stdnum.exceptions import ValidationError

from .states import KINDS

JIANGSU_DIVISION = "32"
SME_NUMBER = re.compile(r"^(20\d{2})[0-9A-Z]{10,16}$")       # 入库登记编号: year of entry, then region and serial
HIGH_TECH_NUMBER = re.compile(r"^GR(20\d{2})(\d{2})(\d{4,6})$")  # GR + year of issue + province + serial
HIGH_TECH_YEARS = 3
STATE_OWNED_NUMBER = re.compile(r"^[0-9A-Z][0-9A-Z-]{5,39}$")  # 国有资产产权登记证 number, as printed


class RuleError(ValueError):
    """A rule refused a value: `code` names the reason (messages in services.MESSAGES), `field` the input."""

    def __init__(self, code: str, field: str):
        super().__init__(code)
        self.code = code
        self.field = field


def normalise(text: str | None) -> str:
    """NFKC (full-width to ASCII, compatibility digits to digits), no spaces, upper case."""
    text = unicodedata.normalize("NFKC", text or "")
    return "".join(text.split()).upper()


@dataclass(frozen=True)
class Uscc:
    code: str

    @property
    def authority(self) -> str:
        return self.code[0]

    @property
    def division(self) -> str:
        return self.code[2:8]

    @property
    def root(self) -> str:
        return self.code[8:17]

    @property
    def in_province(self) -> bool:
        return self.division.startswith(JIANGSU_DIVISION)

    @property
    def public_institution(self) -> bool:
        """Registered by the 机构编制 authority (code 1: organs and public institutions such as public
        universities and institutes): its assets, technology included, are state-owned."""
        return self.authority == "1"


ACADEMIC_KINDS = ("university", "research_institute")


def state_owned(declared: bool, uscc: str | None, kind: str | None, verified_claim: bool = False) -> bool:
    """Whether a seller's technology is state-owned (its negotiated price must be publicly noticed).

    The checked USCC decides for a public institution, a verified state-owned claim (its property-rights
    registration) for a state-owned enterprise, whatever a listing says; a box on a listing can add the
    notice but never take it away. Without a checked USCC a university or institute counts as state-owned."""
    if declared or verified_claim:
        return True
    if uscc:
        return Uscc(uscc).public_institution
    return kind in ACADEMIC_KINDS


def parse_uscc(value: str | None, field: str = "uscc") -> Uscc:
    code = normalise(value).replace("-", "")
    if not code:
        raise RuleError("uscc_missing", field)
    if not code.isascii():
        raise RuleError("uscc_format", field)
    try:
        return Uscc(_uscc.validate(code))
    except _uscc.InvalidChecksum:
        raise RuleError("uscc_checksum", field) from None
    except ValidationError:
        raise RuleError("uscc_format", field) from None


def legal_rep_id_digest(id_number: str | None) -> str | None:
    """A resident ID number (GB 11643, `stdnum.cn.ric`) as a SHA-256 digest: compared, never shown."""
    number = normalise(id_number)
    if not number:
        return None
    try:
        number = _ric.validate(number)
    except ValidationError:
        raise RuleError("legal_rep_id", "legal_rep_id") from None
    return hashlib.sha256(f"legal-rep:{number}".encode()).hexdigest()


_NAME_DOTS = "·•.・‧∙⋅"


@lru_cache(maxsize=1)
def _to_simplified():
    import opencc  # OpenCC's traditional -> simplified table (張偉 -> 张伟, 陳 -> 陈)
    return opencc.OpenCC("t2s")


def person_key(name: str | None) -> str | None:
    """A person's name for comparison: NFKC, invisible format characters (zero-width spaces and joiners,
    BOM, bidi marks) and spaces and middle dots removed, traditional characters made simplified,
    case-folded. Variants of one name typed to look different give one key."""
    text = unicodedata.normalize("NFKC", name or "")
    text = "".join(c for c in text if not c.isspace() and c not in _NAME_DOTS
                   and unicodedata.category(c) not in ("Cf", "Cc", "Mn"))
    if not text:
        return None
    return _to_simplified().convert(text).casefold() or None


def email_key(email: str | None) -> str | None:
    """A mailbox for comparison: NFKC, lower case, without a +tag (a+x@b.cn and a@b.cn reach one box)."""
    text = unicodedata.normalize("NFKC", email or "").strip().lower()
    local, at, domain = text.partition("@")
    if not at or not local or not domain:
        return None
    return f"{local.split('+', 1)[0]}@{domain}"


def phone_key(phone: str | None) -> str | None:
    """A mobile number for comparison: digits only, without the +86 / 0086 prefix."""
    digits = "".join(c for c in unicodedata.normalize("NFKC", phone or "") if c.isdigit())
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits if len(digits) >= 7 else None


# -- claims -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Validity:
    number: str
    valid_from: date | None
    valid_until: date | None   # None: as long as the USCC (in_province)


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def claim_validity(kind: str, number: str | None, *, uscc: str | None, today: date,
                   issued_on: date | None = None, valid_until: date | None = None) -> Validity:
    """The number and validity of a claim, or RuleError naming the field at fault."""
    if kind not in KINDS:
        raise RuleError("kind", "kind")
    if kind == "in_province":
        if not uscc:
            raise RuleError("no_identity", "number")
        own = parse_uscc(uscc, "number")
        given = normalise(number)
        if given and given != own.code:
            raise RuleError("in_province_number", "number")
        if not own.in_province:
            raise RuleError("out_of_province", "number")
        if valid_until is not None:
            raise RuleError("in_province_validity", "valid_until")
        return Validity(own.code, None, None)
    code = normalise(number)
    if not code:
        raise RuleError("number_missing", "number")
    if kind == "state_owned":
        if not STATE_OWNED_NUMBER.match(code):
            raise RuleError("state_owned_number", "number")
        if valid_until is not None or issued_on is not None:
            raise RuleError("state_owned_validity", "valid_until")
        return Validity(code, None, None)
    if kind == "sme":
        match = SME_NUMBER.match(code)
        if not match:
            raise RuleError("sme_number", "number")
        year = int(match.group(1))
        start, end = date(year, 1, 1), date(year, 12, 31)
        if valid_until is not None and valid_until != end:
            raise RuleError("sme_valid_until", "valid_until")
        if year > today.year:
            raise RuleError("not_yet_valid", "number")
    else:  # high_tech
        match = HIGH_TECH_NUMBER.match(code)
        if not match:
            raise RuleError("high_tech_number", "number")
        year = int(match.group(1))
        if issued_on is not None:
            if issued_on.year != year:
                raise RuleError("high_tech_issue_year", "issued_on")
            start = issued_on
            end = _add_years(issued_on, HIGH_TECH_YEARS) - timedelta(days=1)
            if valid_until is not None and valid_until != end:
                raise RuleError("high_tech_valid_until", "valid_until")
        elif valid_until is not None:
            start = _add_years(valid_until + timedelta(days=1), -HIGH_TECH_YEARS)
            if start.year != year:
                raise RuleError("high_tech_valid_until", "valid_until")
            end = valid_until
        else:
            raise RuleError("high_tech_dates", "issued_on")
        if start > today:
            raise RuleError("not_yet_valid", "issued_on")
    if end < today:
        raise RuleError("expired", "valid_until" if valid_until else "number")
    return Validity(code, start, end)


# -- effective flags ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class ClaimFact:
    """What the rules need to know about one qualification claim."""

    kind: str
    status: str
    uscc: str
    number: str = ""
    valid_from: date | None = None
    valid_until: date | None = None
    reason: str | None = None
    id: int | None = None


@dataclass(frozen=True)
class FlagStatus:
    """Whether one qualification counts on a day, and why (`code`, with the claim it rests on)."""

    kind: str
    applies: bool
    code: str   # verified | from_uscc | expired | not_yet_valid | pending | rejected | revoked |
    #             uscc_changed | not_claimed | no_identity | out_of_province
    claim: ClaimFact | None = None


@dataclass(frozen=True)
class EffectiveFlags:
    in_province: bool
    sme: bool
    high_tech: bool
    why: dict = field(default_factory=dict)   # kind -> FlagStatus
    state_owned: bool = False  # a verified state-owned enterprise (its price is publicly noticed)

    def __getitem__(self, kind: str) -> FlagStatus:
        return self.why[kind]


# When no claim counts, the most telling one explains why (first match in this order).
_EXPLAIN_ORDER = ("expired", "not_yet_valid", "claimed", "rejected", "revoked", "withdrawn")


def _in_force(claim: ClaimFact, on: date) -> bool:
    return ((claim.valid_from is None or claim.valid_from <= on)
            and (claim.valid_until is None or on <= claim.valid_until))


def flag_status(kind: str, claims, uscc: str | None, on: date) -> FlagStatus:
    if not uscc:
        return FlagStatus(kind, False, "no_identity")
    own = [c for c in claims if c.kind == kind and c.uscc == uscc]
    if kind == "in_province":
        # Registered in Jiangsu (division 32xxxx) as a reviewer verified from the business licence: a USCC
        # whose check digit is right may still be typed from someone else's licence, so alone it proves
        # nothing; a rejected or revoked licence takes it away.
        try:
            if not parse_uscc(uscc).in_province:
                return FlagStatus(kind, False, "out_of_province")
        except RuleError:
            return FlagStatus(kind, False, "no_identity")
        verified = [c for c in own if c.status == "verified"]
        if verified:
            return FlagStatus(kind, True, "verified", verified[-1])
        refused = [c for c in own if c.status in ("rejected", "revoked")]
        if refused:
            last = max(refused, key=lambda c: c.id or 0)
            return FlagStatus(kind, False, last.status, last)
        pending = [c for c in own if c.status == "claimed"]
        return FlagStatus(kind, False, "pending", pending[-1]) if pending else FlagStatus(kind, False, "not_claimed")
    verified = [c for c in own if c.status == "verified"]
    current = [c for c in verified if _in_force(c, on)]
    if current:
        best = max(current, key=lambda c: c.valid_until or date.max)
        return FlagStatus(kind, True, "verified", best)
    candidates = []
    for c in own:
        if c.status == "verified":
            state = "expired" if c.valid_until is not None and c.valid_until < on else "not_yet_valid"
        else:
            state = c.status
        candidates.append((_EXPLAIN_ORDER.index(state) if state in _EXPLAIN_ORDER else 99, state, c))
    if candidates:
        _rank, state, claim = min(candidates, key=lambda t: (t[0], -(t[2].id or 0)))
        code = {"claimed": "pending", "withdrawn": "not_claimed"}.get(state, state)
        return FlagStatus(kind, False, code, claim)
    if any(c.kind == kind and c.status == "verified" for c in claims):
        return FlagStatus(kind, False, "uscc_changed")
    return FlagStatus(kind, False, "not_claimed")


def effective_flags(claims, uscc: str | None, on: date) -> EffectiveFlags:
    """The flags that may change a subsidy rate on day `on`: verified, in force, for the current USCC."""
    claims = list(claims)
    why = {kind: flag_status(kind, claims, uscc, on) for kind in KINDS}
    return EffectiveFlags(in_province=why["in_province"].applies, sme=why["sme"].applies,
                          high_tech=why["high_tech"].applies, why=why, state_owned=why["state_owned"].applies)


# -- related parties ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class OrgFacts:
    """What the related-party rule needs to know about an organisation."""

    id: int
    lineage: tuple = ()                  # the parent, grandparent, ... (nearest first; not the org itself)
    uscc_root: str | None = None
    legal_rep: str | None = None         # person_key of the legal representative's name
    legal_rep_id: str | None = None      # legal_rep_id_digest, when given
    member_keys: frozenset = frozenset()  # phone_key and email_key of each member
    member_names: frozenset = frozenset()  # person_key of each member's name
    stake_orgs: frozenset = frozenset()    # ids of organisations declared its founders or investors
    stake_people: frozenset = frozenset()  # person_key of people declared its founders or investors


RELATIONS = ("same_organisation", "parent", "same_parent", "uscc_root", "legal_rep", "investor", "shared_member")


def related_reason(a: OrgFacts, b: OrgFacts) -> str | None:
    """Why a and b are related parties (a RELATIONS code), or None when they are not.

    parent: one is the other's parent (or further ancestor); same_parent: they share an ancestor;
    uscc_root: their USCCs share the organisation code; legal_rep: one legal representative (the same
    ID number, or the same name: typed ID numbers are not verified, so two different ones never clear a
    name match), or one's legal representative is a member of the other; investor: one declared the
    other (or the other's legal representative) its founder or investor; shared_member: a person (same
    mobile number or mailbox) is a member of both.
    """
    if a.id == b.id:
        return "same_organisation"
    if a.id in b.lineage or b.id in a.lineage:
        return "parent"
    if set(a.lineage) & set(b.lineage):
        return "same_parent"
    if a.uscc_root and a.uscc_root == b.uscc_root:
        return "uscc_root"
    if (a.legal_rep_id and a.legal_rep_id == b.legal_rep_id) or (a.legal_rep and a.legal_rep == b.legal_rep):
        return "legal_rep"
    if (a.legal_rep and a.legal_rep in b.member_names) or (b.legal_rep and b.legal_rep in a.member_names):
        return "legal_rep"
    if a.id in b.stake_orgs or b.id in a.stake_orgs or (a.legal_rep and a.legal_rep in b.stake_people) \
            or (b.legal_rep and b.legal_rep in a.stake_people):
        return "investor"
    if a.member_keys & b.member_keys:
        return "shared_member"
    return None
