"""Queries, part 5 (see query.py): HTML snippets with the query's words marked."""
from __future__ import annotations

import re
from collections.abc import Iterable

from markupsafe import Markup, escape

from . import analysis
from .parse import Parsed

# A Latin letter or digit: what the class [A-Za-z0-9] matches under IGNORECASE (it adds the four
# letters that fold into it, İ ı ſ K), spelt to compile in a fifth of the time. Under IGNORECASE a
# character class is case-folded range by range when compiled: 0.2 ms a class, two per Latin word,
# which made compiling a new query's pattern most of its highlighting cost.
_ALNUM = "(?-i:[A-Za-z0-9])|\u0130|\u0131|\u017f|\u212a"


def _mark_regex(marks: Iterable[str]):
    forms = sorted({m for m in marks if m and m not in analysis.STOPWORDS}, key=len, reverse=True)[:60]
    if not forms:
        return None
    def pattern(form):
        # Latin words match whole words only (TEM, not the TEM in STEM). The character before is
        # checked after the word (a look-behind over it and that character), so that every branch
        # starts with its word: the regex engine then skips to where a word can start instead of
        # trying a look-behind at every position of the text.
        word = re.escape(form)
        head = f"(?<!(?:{_ALNUM}){word})" if form[0].isascii() and form[0].isalnum() else ""
        tail = f"(?!{_ALNUM})" if form[-1].isascii() and form[-1].isalnum() else ""
        return word + head + tail
    return re.compile("|".join(pattern(f) for f in forms), re.IGNORECASE)


def highlight(text: str, marks: Iterable[str] | re.Pattern | None, width: int = 120) -> Markup:
    """An HTML-safe excerpt of text around the first match, matches wrapped in <mark>."""
    text = " ".join((text or "").split())
    rx = marks if isinstance(marks, re.Pattern) or marks is None else _mark_regex(marks)
    if rx is None:
        return Markup(escape(text[:width] + ("…" if len(text) > width else "")))
    first = rx.search(text)
    if first is None:
        start = 0
    else:
        start = max(0, first.start() - width // 4)
    end = min(len(text), start + width)
    piece = text[start:end]
    out = ["…" if start > 0 else ""]
    pos = 0
    for m in rx.finditer(piece):
        out.append(str(escape(piece[pos:m.start()])))
        out.append("<mark>" + str(escape(m.group(0))) + "</mark>")
        pos = m.end()
    out.append(str(escape(piece[pos:])))
    if end < len(text):
        out.append("…")
    return Markup("".join(out))


def mark_regex(parsed: Parsed):
    return _mark_regex(parsed.marks)
