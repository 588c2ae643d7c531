"""search rebuild (search/fastwriter.py): the index built by TermWriter, in one process or forked ones,
in one segment or several, by its fast or its public postings path, holds exactly what Whoosh's own
writer puts in it: every document's stored fields, field lengths and sort columns, and every term's
postings (document key -> weight and value)."""
import pytest
from whoosh import index as windex

from marketplace.demo.seed import seed_demo
from marketplace.search import fastwriter, feed
from marketplace.search import whoosh_adapter as W
from marketplace.search.documents import KINDS
from marketplace.search.schema import make_schema

COLUMNS = ("price", "published", "price_rank")
N = 160  # demo resources


@pytest.fixture
def svc(app):
    seed_demo(resources=N, seed=11, hooks=False, force=True)
    yield app.extensions["search"]
    W.use_public_api(False)


def _whoosh_build(path):
    """The reference: Whoosh's SegmentWriter given the same documents in the same order."""
    from sqlalchemy.orm import Session

    from marketplace.extensions import db
    path.mkdir()
    ix = windex.create_in(str(path), make_schema())
    w = ix.writer(codec=W.fast_codec(), compound=False)
    with Session(db.engine) as session:
        for kind in KINDS.values():
            ids = sorted(session.scalars(kind.indexable().with_only_columns(
                kind.indexable().selected_columns[0])).all())
            for obj in kind.load(session, ids):
                w.add_document(**kind.build(obj))
    w.commit()
    return ix


def _contents(ix) -> dict:
    with ix.searcher() as s:
        r = s.reader()
        keys = {d: s.stored_fields(d)["key"] for d in r.all_doc_ids()}
        stored = {keys[d]: s.stored_fields(d) for d in keys}
        lengths = {(keys[d], f): r.doc_field_length(d, f) for d in keys for f in ("title", "ngram", "content")}
        columns = {}
        for name in COLUMNS:
            col = r.column_reader(name)
            columns[name] = {keys[d]: col[d] for d in keys}
        postings = {term: _postings(r.postings(*term), keys) for term in r.all_terms()}
        totals = {f: r.field_length(f) for f in ("title", "ngram", "content")}
        return {"stored": stored, "lengths": lengths, "columns": columns, "postings": postings,
                "totals": totals, "segments": len(getattr(r, "readers", None) or [r])}


def _postings(m, keys) -> dict:
    # weight() is the stored weight (items_as("weight") would decode the value bytes instead)
    out = {}
    while m.is_active():
        out[keys[m.id()]] = (m.weight(), m.value())
        m.next()
    return out


@pytest.fixture
def reference(svc, tmp_path):
    return _contents(_whoosh_build(tmp_path / "reference"))


def _same(built: dict, reference: dict):
    assert built["stored"] == reference["stored"]
    assert built["lengths"] == reference["lengths"]
    assert built["columns"] == reference["columns"]
    assert built["totals"] == reference["totals"]
    assert built["postings"].keys() == reference["postings"].keys()
    assert built["postings"] == reference["postings"]


@pytest.mark.parametrize("procs", [1, 2])
def test_rebuild_indexes_what_whoosh_would(svc, reference, procs):
    assert len(reference["stored"]) > 100 and len(reference["postings"]) > 1000
    progress = []
    assert svc.rebuild(procs=procs, progress=progress.append) == len(reference["stored"])
    assert sum(progress) == len(reference["stored"])
    built = _contents(svc.ix)
    assert built["segments"] == procs
    _same(built, reference)
    assert feed.FeedState.load(svc.path).known  # the feed position was saved


def test_public_postings_path_and_small_segments_agree(svc, reference, monkeypatch):
    W.use_public_api()
    monkeypatch.setattr(fastwriter, "BATCH", 50)
    svc.app.config["SEARCH_WRITER_LIMITMB"] = 0  # a segment per batch of documents
    svc.rebuild(procs=1)
    built = _contents(svc.ix)
    assert built["segments"] > 2
    _same(built, reference)


def test_a_failing_worker_fails_the_rebuild_and_leaves_the_index(svc, reference, monkeypatch):
    svc.rebuild(procs=1)
    kind = KINDS["resource"]

    def broken(obj):
        raise RuntimeError("cannot build")
    monkeypatch.setattr(kind, "build", broken)
    with pytest.raises(RuntimeError, match="cannot build"):
        svc.rebuild(procs=2)
    monkeypatch.undo()
    svc.reset()
    _same(_contents(svc.ix), reference)
    svc.rebuild(procs=1)  # the index lock was released


def test_only_full_posting_blocks_are_compressed(svc):
    """zlib is spent where it saves disk: blocks of COMPRESS_MIN_POSTINGS or more postings; the small
    blocks most terms have are written plain (what they hold is checked against Whoosh's above)."""
    svc.rebuild(procs=1)
    levels: dict[bool, set] = {True: set(), False: set()}
    with svc.ix.searcher() as s:
        r = s.reader()
        for field, text in r.all_terms():
            n = r.doc_frequency(field, text)
            if field == "content" and (n >= W.COMPRESS_MIN_POSTINGS or 2 <= n < 10):
                levels[n >= W.COMPRESS_MIN_POSTINGS].add(r.postings(field, text)._compression)  # 1st block
    assert levels == {True: {3}, False: {0}}
