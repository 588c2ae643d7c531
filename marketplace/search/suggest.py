"""Queries, part 4 (see query.py): title autocomplete and what to try when nothing matched."""
from __future__ import annotations

import heapq
from collections.abc import Iterable

from . import analysis
from .docsets import DocSets
from .parse import MAX_WORDS


def suggest(ds: DocSets, prefix: str, limit: int = 8) -> list[dict]:
    """Titles for autocomplete: every typed word matches a title word, the last one as a prefix."""
    words = analysis.query_words(prefix)[:MAX_WORDS]
    if not words:
        return []
    sets = []
    for i, (kind, word) in enumerate(words):
        last = i == len(words) - 1
        if kind == "han":
            grams = analysis.query_ngrams(word) or [word]
            s = None
            for g in dict.fromkeys(grams):
                t = ds.term("ngram", g)
                s = t if s is None else (s & t)
        elif last:
            s = frozenset()
            for term in _prefix_terms(ds, "title", word, 50):
                s = s | ds.term("title", term)
        else:
            s = ds.term("title", word)
        sets.append(s or frozenset())
    found = sets[0]
    for s in sets[1:]:
        found = found & s
    if not found:
        return []
    # shortest titles first (closest to what was typed), newest among equals
    stored = ds.searcher.stored_fields
    col = ds.column("published")
    picked = heapq.nlargest(min(len(found), 400), found, key=lambda d: (col[d], d))
    rows = [stored(d) for d in picked]
    rows.sort(key=lambda f: (len(f.get("title", "")), f.get("title", "")))
    out, seen = [], set()
    for f in rows:
        if f["title"] in seen:
            continue
        seen.add(f["title"])
        out.append(f)
        if len(out) >= limit:
            break
    return out


def _prefix_terms(ds: DocSets, fieldname: str, prefix: str, limit: int) -> list[str]:
    out = []
    try:
        for t in ds.reader.expand_prefix(fieldname, prefix):
            out.append(t.decode("utf-8") if isinstance(t, bytes) else t)
            if len(out) >= limit:
                break
    except Exception:
        pass
    return out


def _pinyin(text: str) -> str:
    from pypinyin import lazy_pinyin
    return " ".join(lazy_pinyin(text))


_sound_cache: dict = {}


def _title_words_by_sound(ds: DocSets) -> dict[str, list[tuple[int, str]]]:
    """Title words of two or more Han characters by their toneless pinyin, most frequent first; once
    per searcher generation (a few thousand words)."""
    key = id(ds.reader)
    if key not in _sound_cache:
        _sound_cache.clear()
        by_sound: dict[str, list[tuple[int, str]]] = {}
        for raw in ds.reader.lexicon("title"):
            word = raw.decode("utf-8") if isinstance(raw, bytes) else raw
            if len(word) >= 2 and all(analysis.has_han(ch) for ch in word):
                by_sound.setdefault(_pinyin(word), []).append((-ds.reader.doc_frequency("title", word), word))
        _sound_cache[key] = {k: sorted(v) for k, v in by_sound.items()}
    return _sound_cache[key]


def sounds_like(ds: DocSets, word: str, limit: int = 3) -> list[str]:
    """Index words that sound like a Chinese word typed with the wrong character (质普 → 质谱): Chinese
    input methods type by pinyin, so typos are homophones."""
    if not 2 <= len(word) <= 8:
        return []
    try:
        found = _title_words_by_sound(ds).get(_pinyin(word), [])
    except Exception:  # an index without titles, or an old one: no suggestion rather than an error
        return []
    return [w for _n, w in found if w != word][:limit]


def similar_terms(ds: DocSets, words: Iterable[str], limit: int = 5) -> list[str]:
    """Index words close to the query's words: Latin ones by spelling (typos in model numbers,
    abbreviations), Chinese ones by sound (a homophone typed by mistake)."""
    out: list[str] = []
    for word in words:
        if analysis.has_han(word):
            out += [w for w in sounds_like(ds, word) if w not in out]
            continue
        if len(word) < 3:
            continue
        for fieldname in ("title", "content"):
            try:
                cands = ds.searcher.suggest(fieldname, analysis.normalize(word), limit=limit, maxdist=2, prefix=1)
            except Exception:
                cands = []
            for c in cands:
                if c != word and c not in out:
                    out.append(c)
            if out:
                break
    return out[:limit]


def similar_titles(ds: DocSets, q: str, limit: int = 5) -> list[dict]:
    """Titles sharing the most character bigrams with the query (for 'did you mean')."""
    grams = []
    for kind, word in analysis.query_words(q)[:MAX_WORDS]:
        if kind == "han":
            grams.extend(analysis.query_ngrams(word))
    grams = list(dict.fromkeys(g for g in grams if len(g) == 2))[:24]
    if not grams:
        return []
    scores: dict[int, int] = {}
    for g in grams:
        for d in ds.term("ngram", g):
            scores[d] = scores.get(d, 0) + 1
    if not scores:
        return []
    need = max(1, len(grams) // 2)
    best = heapq.nlargest(limit * 4, ((n, d) for d, n in scores.items() if n >= need))
    out, seen = [], set()
    for _n, d in best:
        f = ds.searcher.stored_fields(d)
        if f["title"] not in seen:
            seen.add(f["title"])
            out.append(f)
        if len(out) >= limit:
            break
    return out

