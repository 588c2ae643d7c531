"""search.whoosh_adapter: the fast path (Whoosh's private attributes) and the documented fallback (its
public API) give the same postings, field lengths and deletions on a real index, and a failing fast
path switches to the fallback instead of failing the search."""
import pytest
from whoosh import fields
from whoosh.filedb.filestore import RamStorage

from marketplace.search import whoosh_adapter as W


@pytest.fixture
def segments():
    schema = fields.Schema(key=fields.ID(unique=True, stored=True), title=fields.TEXT(stored=True),
                           content=fields.TEXT)
    ix = RamStorage().create_index(schema)
    for batch in (range(0, 300), range(300, 420)):  # two segments
        w = ix.writer()
        for i in batch:
            w.add_document(key=str(i), title=f"electron microscope {i % 7}",
                           content=" ".join(["sample"] * (1 + i % 5) + [f"w{i % 11}"]))
        w.commit(merge=False)
    w = ix.writer()
    w.delete_by_term("key", "5")
    w.delete_by_term("key", "310")
    w.commit(merge=False)
    with ix.searcher() as s:
        reader = s.reader()
        subs = getattr(reader, "readers", None) or [reader]
        yield subs


@pytest.fixture(autouse=True)
def _restore():
    W.use_public_api(False)
    yield
    W.use_public_api(False)


def _all(subs):
    """Per segment: postings of three terms without deleted documents (the public API leaves them out;
    DocSets removes them either way), content lengths, deletions."""
    out = []
    for seg in subs:
        deleted = set(W.deleted_docs(seg))
        terms = []
        for field, text in (("title", "microscope"), ("content", "sample"), ("content", "absent")):
            ids, weights = W.postings(seg, field, text)
            terms.append([(d, w) for d, w in zip(ids, weights, strict=True) if d not in deleted])
        out.append((terms, bytes(W.length_bytes(seg, "content")), sorted(deleted)))
    return out


def test_fast_path_and_public_api_agree(segments):
    assert len(segments) >= 2
    fast = _all(segments)
    assert W.FAST  # the fast path worked on Whoosh's own codec
    W.use_public_api()
    assert _all(segments) == fast
    sample = fast[0][0][1]
    assert len(sample) == 299 and sorted({w for _d, w in sample}) == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert [seg[2] for seg in fast] == [[5], [10]]  # one deletion in each segment (segment-local numbers)


def test_a_broken_private_api_falls_back_once(segments, monkeypatch):
    expected = W._postings_public(segments[0], "title", "microscope")

    def broken(*_a, **_k):
        raise AttributeError("_terms")  # as if a Whoosh release renamed its internals

    monkeypatch.setattr(W, "_postings_fast", broken)
    assert W.postings(segments[0], "title", "microscope") == expected
    assert W.FAST is False  # switched off for the process: no exception per term from now on


def test_other_failures_fall_back_without_switching_off(segments, monkeypatch):
    expected = W._postings_public(segments[0], "title", "microscope")
    monkeypatch.setattr(W, "_postings_fast", lambda *_a: (_ for _ in ()).throw(OSError("short read")))
    assert W.postings(segments[0], "title", "microscope") == expected
    assert W.FAST is True
