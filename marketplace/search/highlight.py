"""Queries, part 5 (see query.py): HTML snippets with the query's words marked."""
from __future__ import annotations

import re
from collections.abc import Iterable

from markupsafe import Markup, escape

from . import analysis
from .parse import Parsed


def _mark_regex(marks: Iterable[str]):
    forms = sorted({m for m in marks if m and m not in analysis.STOPWORDS}, key=len, reverse=True)[:60]
    if not forms:
        return None
    def pattern(form):
        # Latin words match whole words only (TEM, not the TEM in STEM)
        head = r"(?<![A-Za-z0-9])" if form[0].isascii() and form[0].isalnum() else ""
        tail = r"(?![A-Za-z0-9])" if form[-1].isascii() and form[-1].isalnum() else ""
        return head + re.escape(form) + tail
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
