"""Remittance codes (汇款识别码): what a payer writes in a bank transfer's 附言 so that the imported
statement line finds what it pays (a bill, a deal instalment, an auction deposit). Pure: no app.

`JS` + 9 random characters without the look-alikes 0/O and 1/I + an ISO 7064 MOD 37,36 check
character over the 9: a mistyped or swapped character is caught, never matched to something else.
Whoever owes money by transfer draws its code here; billing's bank import reads it back.
"""
import re
import secrets

from stdnum.iso7064 import mod_37_36

CODE_PREFIX = "JS"
CODE_LENGTH = 12
_RANDOM_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
_CODE_RE = re.compile(r"JS([0-9A-Z]{10})")


def new_remittance_code() -> str:
    body = "".join(secrets.choice(_RANDOM_ALPHABET) for _ in range(9))
    return CODE_PREFIX + body + mod_37_36.calc_check_digit(body)


def valid_remittance_code(code: str) -> bool:
    m = _CODE_RE.fullmatch(code or "")
    return bool(m) and mod_37_36.is_valid(m.group(1))


def find_remittance_code(text: str | None) -> str | None:
    """The first valid remittance code in a transfer's 附言 (spaces, dashes and case forgiven)."""
    if not text:
        return None
    squeezed = re.sub(r"[\s\-_—·.,，。:：]", "", text.upper())
    for m in _CODE_RE.finditer(squeezed):
        if mod_37_36.is_valid(m.group(1)):
            return CODE_PREFIX + m.group(1)
    # a 附言 such as "JS…X付款" where the code runs into other letters: try every position
    for i in range(len(squeezed) - 11):
        if squeezed.startswith(CODE_PREFIX, i) and mod_37_36.is_valid(squeezed[i + 2:i + 12]):
            return squeezed[i:i + 12]
    return None
