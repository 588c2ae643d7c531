"""Text analysis for Chinese search: jieba for Han text, whole Latin words and model numbers.

One function, `tokens(text, mode)`, cuts text for the index ("index": jieba search mode, so the
parts of a long word are indexed too: 透射电子显微镜 also yields 电子, 显微, 显微镜 …) and for queries
("query": jieba default mode, the longest words). Because search mode emits every word default mode
would, a query word always meets the same word in the index.

Latin words, numbers and model numbers are kept whole and lower-cased (JEM-2100F → jem-2100f);
at index time their parts (jem, 2100f) and the joined form (jem2100f) are indexed as well so a user
typing only "2100F" or "jem2100f" still finds the instrument.

`ngrams(text)` gives single Han characters and bigrams, indexed for titles and tags so a part of a
word that jieba does not know (子显 in 电子显微镜) still finds it.

jieba is initialised once per process, lazily, with its log silenced, its cache in a writable
temporary directory, and the field's user dictionary (data/userdict.txt) loaded.
"""
from __future__ import annotations

import logging
import os
import re
import tempfile
import threading
import unicodedata
from functools import lru_cache
from math import log
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
USERDICT = DATA_DIR / "userdict.txt"
SYNONYMS = DATA_DIR / "synonyms.txt"

# Han ideographs (CJK unified + extension A + compatibility) or a Latin/number word.
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD_RE = re.compile(rf"([{_HAN}]+)|([a-z0-9]+(?:[-_./+#][a-z0-9]+)*)")
_PART_RE = re.compile(r"[a-z0-9]+")
_HAN_RE = re.compile(rf"[{_HAN}]")
_JIEBA_HAN_RE = re.compile("[\u4e00-\u9fd5]+")  # what jieba itself cuts as Han (its re_han_default)

# Words too common to help ranking; they still appear in snippets and n-grams.
STOPWORDS = frozenset("的 了 和 与 及 或 等 在 是 为 对 并 其 之 以 于 由 将 把 被 从 也 就 都 而 且 着 个 这 那 有 无".split())

_jieba_lock = threading.Lock()
_tokenizer = None
_log = logging.getLogger(__name__)


def jieba_tokenizer():
    """The process-wide jieba Tokenizer, initialised on first use (thread-safe)."""
    global _tokenizer
    if _tokenizer is not None:
        return _tokenizer
    with _jieba_lock:
        if _tokenizer is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            logging.getLogger("jieba").setLevel(logging.WARNING)
            tok = jieba.Tokenizer()
            cache_dir = os.environ.get("JIEBA_CACHE_DIR") or os.path.join(tempfile.gettempdir(), "jieba-cache")
            try:
                os.makedirs(cache_dir, exist_ok=True)
                probe = tempfile.NamedTemporaryFile(dir=cache_dir)  # writable?
                probe.close()
            except OSError:
                cache_dir = tempfile.mkdtemp(prefix="jieba-")
            tok.tmp_dir = cache_dir
            if not _load_cached_dictionary(tok, cache_dir):
                tok.initialize()
            if USERDICT.exists():
                tok.load_userdict(str(USERDICT))
            _tokenizer = tok
    return _tokenizer


def _load_cached_dictionary(tok, cache_dir: str) -> bool:
    """What Tokenizer.initialize() does for jieba's default dictionary when its cache file is there,
    faster: initialize() decodes the cache with marshal.load() from the open file, which reads it in
    small pieces (0.6 s for 9 MB); reading it whole and decoding the bytes gives the same dictionary
    in 0.2 s, paid at every start and by `search rebuild` before its workers fork. False (and
    nothing changed) when initialize() must do it: another dictionary, no cache, a broken cache."""
    import marshal
    if tok.dictionary is not None or getattr(tok, "cache_file", None) or tok.initialized:
        return False
    try:
        with open(os.path.join(cache_dir, "jieba.cache"), "rb") as f:
            freq, total = marshal.loads(f.read())
    except (OSError, EOFError, ValueError, TypeError):
        return False
    if not isinstance(freq, dict) or not freq:
        return False
    tok.FREQ, tok.total, tok.initialized = freq, total, True
    return True


def normalize(text: str) -> str:
    """Full-width to half-width (ＪＥＭ → JEM), compatibility forms folded, lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def _cut(run: str) -> list[str]:
    """The words of a Han run as `jieba_tokenizer().cut(run, HMM=False)` gives them, twice as fast.

    jieba builds a dict of every dictionary word's end per start (get_DAG), then the best route by
    log frequency (calc), then walks it through a generator and a regex per word; here the best route
    is found in the same backward pass that scans the dictionary, with the same floats in the same
    order and the same tie rule (max of (score, end): the longer word on a tie). Runs holding Han
    characters outside jieba's own range (U+4E00–U+9FD5: extension A, compatibility ideographs),
    which jieba does not cut as Han, go through jieba.
    """
    tok = jieba_tokenizer()
    if not _JIEBA_HAN_RE.fullmatch(run):
        return list(tok.cut(run, HMM=False))
    freq = tok.FREQ
    n = len(run)
    logtotal = log(tok.total)
    score = [0.0] * n + [0]  # jieba's route[n] is (0, 0)
    end = [0] * n
    for k in range(n - 1, -1, -1):
        best = None
        i, frag = k, run[k]
        while i < n and frag in freq:  # freq holds every prefix of a word (count 0 if not a word)
            f = freq[frag]
            if f:
                s = log(f) - logtotal + score[i + 1]
                if best is None or s >= best:  # ends rise: on a tie the later (longer) word wins
                    best, best_end = s, i
            i += 1
            frag = run[k:i + 1]
        if best is None:  # no word starts here: the character alone
            best, best_end = log(freq.get(run[k]) or 1) - logtotal + score[k + 1], k
        score[k], end[k] = best, best_end
    words, x = [], 0
    while x < n:
        y = end[x] + 1
        words.append(run[x:y])
        x = y
    return words


@lru_cache(maxsize=200_000)
def _cut_index(run: str) -> tuple[str, ...]:
    # Cached per Han run (a phrase between punctuation): listings repeat a lot of phrases.
    # Like jieba's search mode, but every dictionary word inside a word is emitted (not only its
    # 2- and 3-character parts), so 电子显微镜 is found inside 透射电子显微镜.
    freq = jieba_tokenizer().FREQ
    out = []
    for w in _cut(run):
        n = len(w)
        if n > 2:
            for size in range(2, min(n, 12)):
                for i in range(n - size + 1):
                    part = w[i:i + size]
                    if freq.get(part):
                        out.append(part)
        if w not in STOPWORDS:
            out.append(w)
    return tuple(out)


@lru_cache(maxsize=20_000)
def _cut_query(run: str) -> tuple[str, ...]:
    words = tuple(w for w in _cut(run) if w not in STOPWORDS)
    return words or (run,)


@lru_cache(maxsize=50_000)
def _latin_index(word: str) -> tuple[str, ...]:
    # cached as the Han runs are: model numbers, units and brands repeat from listing to listing
    parts = _PART_RE.findall(word)
    if len(parts) > 1:
        return (word, *parts, "".join(parts))
    return (word,)


def tokens(text: str, mode: str = "index") -> list[str]:
    """Cut text into index terms (mode "index") or query terms (mode "query"), in order."""
    if not text:
        return []
    out: list[str] = []
    cut = _cut_index if mode == "index" else _cut_query
    for han, latin in _WORD_RE.findall(normalize(text)):
        if han:
            out.extend(cut(han))
        elif mode == "index":
            out.extend(_latin_index(latin))
        else:
            out.append(latin)
    return out


def query_words(text: str) -> list[tuple[str, str]]:
    """Split a query into (kind, word): kind "han" for a Han run, "latin" for a Latin word."""
    return [("han", h) if h else ("latin", w) for h, w in _WORD_RE.findall(normalize(text))]


def ngrams(text: str) -> list[str]:
    """Han bigrams of text (for part-of-word matching); a lone Han character stands for itself."""
    out: list[str] = []
    for han, _latin in _WORD_RE.findall(normalize(text)):
        if len(han) == 1:
            out.append(han)
        elif han:
            out.extend(han[i:i + 2] for i in range(len(han) - 1))
    return out


def query_ngrams(run: str) -> list[str]:
    """The bigrams a Han query run must all match (a single character matches only by words)."""
    return [run[i:i + 2] for i in range(len(run) - 1)]


def has_han(text: str) -> bool:
    return bool(_HAN_RE.search(text))


# -- synonyms -------------------------------------------------------------------------------------

_synonyms: dict[str, tuple[str, ...]] | None = None
_synonyms_mtime: float | None = None


def load_synonyms(path: Path | str | None = None) -> dict[str, tuple[str, ...]]:
    """Read a synonyms file: one group a line, forms separated by commas; '#' starts a comment.

    Returns {normalised form: (all normalised forms of its group)}. A form in several groups gets
    the union of them.
    """
    path = Path(path or SYNONYMS)
    groups: dict[str, set[str]] = {}
    if not path.exists():
        return {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        forms = [normalize(f).strip() for f in re.split(r"[,，、]", line)]
        forms = [f for f in forms if f]
        if len(forms) < 2:
            continue
        merged = set(forms)
        for f in forms:
            merged |= groups.get(f, set())
        for f in merged:
            groups[f] = merged
    return {k: tuple(sorted(v, key=lambda s: (-len(s), s))) for k, v in groups.items()}


def synonyms() -> dict[str, tuple[str, ...]]:
    """The shipped synonyms, re-read when the file changes (it is meant to be edited)."""
    global _synonyms, _synonyms_mtime
    try:
        mtime = SYNONYMS.stat().st_mtime
    except OSError:
        mtime = None
    if _synonyms is None or mtime != _synonyms_mtime:
        _synonyms = load_synonyms(SYNONYMS)
        _synonyms_mtime = mtime
    return _synonyms


# -- Whoosh analyzer (the schema's; stored pickled in the index, so defined at module level) -----

from whoosh.analysis import Token as _Token  # noqa: E402
from whoosh.analysis import Tokenizer as _WTokenizer  # noqa: E402


class HubTokenizer(_WTokenizer):
    """Whoosh tokenizer over `tokens()` (kind "words") or `ngrams()` (kind "ngrams")."""

    def __init__(self, kind: str = "words"):
        self.kind = kind

    def __eq__(self, other):
        return type(other) is type(self) and other.kind == self.kind

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, mode="", **kwargs):
        t = _Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if self.kind == "ngrams":
            words = ngrams(value)
        else:
            words = tokens(value, "query" if mode == "query" else "index")
        for pos, w in enumerate(words, start_pos):
            t.text = w
            t.boost = 1.0
            t.stopped = False
            if positions:
                t.pos = pos
            if chars:
                t.startchar = t.endchar = start_char
            yield t
