"""A Whoosh segment writer for building an index from scratch, and the worker that builds a share of it.

Whoosh's SegmentWriter keeps every posting as a tuple in a pool and sorts the whole pool when the
segment is written: on a rebuild that sort and the per-posting calls around it cost more than cutting
the text. TermWriter keeps each term's postings in arrays instead (documents are added with rising
numbers, so each term's list is already in order), sorts only the terms, and writes each term a block
at a time (whoosh_adapter.term_adder). The segment files are the same as Whoosh's.

`write_segments` builds the documents of a list of ids into lock-less segments (as Whoosh's
multiprocessing sub-writers do); the caller, holding the index lock, commits them (rebuild.py).
"""
from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import traceback
from array import array
from collections import Counter
from collections.abc import Callable

from sqlalchemy.orm import Session
from whoosh.system import pack_uint
from whoosh.writing import SegmentWriter

from ..core.db import reading
from ..extensions import db
from . import analysis
from .documents import KINDS
from .schema import CutText
from .whoosh_adapter import fast_codec, term_adder

BATCH = 500  # documents loaded from the database per query
POSTING_BYTES = 24  # memory per buffered posting (id, weight, value reference) and its share of terms


class _Packed(dict):
    """pack_uint(n) by n, made on first use (a term count's value bytes: few distinct)."""

    def __missing__(self, n):
        value = self[n] = pack_uint(n)
        return value


class TermPool:
    """Postings by field and term, in the order added; stands in for Whoosh's PostingPool.

    Two forms: `fields` holds (ids, weights, value bytes) per term as Whoosh's field.index() gives
    them; `counted` holds only (ids, counts) per term text, for the text fields cut by us and not
    boosted (CutText with a list of words), whose weight is the count and whose value is
    pack_uint(count) — that is what CutText.index() would give, made per term at the end instead of
    per posting. A field is in one form or the other (moved to the first if it ever needs both).
    """

    def __init__(self):
        self.fields: dict[str, dict[bytes, tuple[array, array, list]]] = {}
        self.counted: dict[str, dict[str, tuple[array, array]]] = {}
        self.count = 0
        self._values: dict[bytes, bytes] = {}  # one bytes object per distinct value (few: term counts)
        self._packed = _Packed()

    def add_field(self, fieldname: str, docnum: int, items, boost: float) -> int:
        """Add a document's postings of one field ((term, freq, weight, value) items); return the
        sum of the frequencies."""
        if fieldname in self.counted:
            self._uncount(fieldname)
        terms = self.fields.setdefault(fieldname, {})
        values = self._values
        length = n = 0
        for tbytes, freq, weight, vbytes in items:
            postings = terms.get(tbytes)
            if postings is None:
                postings = terms[tbytes] = (array("I"), array("d"), [])
            postings[0].append(docnum)
            postings[1].append(weight * boost)
            vbytes = vbytes or b""
            postings[2].append(values.setdefault(vbytes, vbytes))
            length += freq
            n += 1
        self.count += n
        return length

    def add_counts(self, fieldname: str, docnum: int, counts: dict[str, int]) -> int:
        """Add a document's words of one unboosted CutText field ({word: count}); return the sum of
        the counts."""
        if fieldname in self.fields:
            return self.add_field(fieldname, docnum, ((w.encode("utf-8"), n, float(n), pack_uint(n))
                                                      for w, n in counts.items()), 1.0)
        terms = self.counted.get(fieldname)
        if terms is None:
            terms = self.counted[fieldname] = {}
        for word, n in counts.items():
            postings = terms.get(word)
            if postings is None:
                postings = terms[word] = (array("I"), array("I"))
            postings[0].append(docnum)
            postings[1].append(n)
        self.count += len(counts)
        return sum(counts.values())

    def field_names(self) -> list[str]:
        return sorted({*self.fields, *self.counted})

    def terms(self, fieldname: str):
        """(term bytes, ids, weights, value bytes) of a field's terms in term order."""
        if fieldname in self.fields:
            terms = self.fields[fieldname]
            for tbytes in sorted(terms):
                yield (tbytes, *terms[tbytes])
            return
        packed = self._packed
        terms = self.counted[fieldname]
        # str order is code point order, which is the order of their UTF-8 bytes
        for word in sorted(terms):
            ids, counts = terms[word]
            yield word.encode("utf-8"), ids, array("d", counts), list(map(packed.__getitem__, counts))

    def _uncount(self, fieldname: str):
        moved = list(self.terms(fieldname))
        del self.counted[fieldname]
        self.fields[fieldname] = {tbytes: (ids, weights, [self._values.setdefault(v, v) for v in values])
                                  for tbytes, ids, weights, values in moved}

    def size(self) -> int:
        return self.count * POSTING_BYTES

    def cleanup(self):
        self.fields.clear()
        self.counted.clear()


class TermWriter(SegmentWriter):
    """SegmentWriter with a TermPool, writing terms in order at the end; `segments_written` (by other
    writers: `write_segments`) are committed with its own segment.

    Only for building: documents are added (add_document), not merged from readers; fields with
    term vectors or a separate spelling field are refused.
    """

    def __init__(self, ix, **kwargs):
        super().__init__(ix, codec=fast_codec(), compound=False, **kwargs)
        unsupported = [n for n, f in self.schema.items() if f.vector or f.separate_spelling()]
        if unsupported:
            self.cancel()
            raise ValueError(f"TermWriter writes no term vectors or spelling fields: {unsupported}")
        self.pool = TermPool()
        self.segments_written = []
        self._indexed: dict[tuple[str, str], list] = {}

    def add_document(self, **fields):
        """Whoosh's add_document, its postings added a field at a time."""
        self._check_state()
        schema, pdw, docnum = self.schema, self.perdocwriter, self.docnum
        docboost = self._doc_boost(fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)
        pdw.start_doc(docnum)
        for fieldname in fieldnames:
            value = fields[fieldname]
            if value is None:
                continue
            field = schema[fieldname]
            length = 0
            if field.indexed:
                boost = self._field_boost(fields, fieldname, docboost)
                if boost == 1.0 and isinstance(value, (list, tuple)) and type(field) is CutText \
                        and field.format.field_boost == 1.0:
                    length = self.pool.add_counts(fieldname, docnum, Counter(value))
                else:
                    length = self.pool.add_field(fieldname, docnum, self._index(fieldname, field, value), boost)
                if not field.scorable:
                    length = 0
            customval = fields.get(f"_stored_{fieldname}", value)
            pdw.add_field(fieldname, field, customval if field.stored else None, length)
            if field.column_type and customval is not None:
                pdw.add_column_value(fieldname, field.column_type, field.to_column_value(customval))
        pdw.finish_doc()
        self._added = True
        self.docnum += 1

    def _merge_segments(self, mergetype, optimize, merge):
        return super()._merge_segments(mergetype, optimize, merge) + self.segments_written

    def _flush_segment(self):
        self.perdocwriter.close()
        fw = self.fieldwriter
        for fieldname in self.pool.field_names():
            fw.start_field(fieldname, self.schema[fieldname])
            add_term = term_adder(fw)
            for tbytes, ids, weights, values in self.pool.terms(fieldname):
                fw.start_term(tbytes)
                add_term(ids, weights, values)
                fw.finish_term()
            fw.finish_field()
        fw.close()

    def _index(self, fieldname: str, field, value):
        """field.index(value), remembered for the short values that repeat from document to document
        (a kind, a type, a city, an organisation, platforms): those fields' analyzers are pure."""
        if field.unique or not isinstance(value, str) or len(value) > 64:
            return field.index(value)
        key = (fieldname, value)
        items = self._indexed.get(key)
        if items is None:
            if len(self._indexed) >= 50_000:
                self._indexed.clear()
            items = self._indexed[key] = list(field.index(value))
        return items


def write_segments(ix, ids: list[tuple[str, list[int]]], limitmb: int,
                   progress: Callable[[int], None] | None = None) -> tuple[list, int]:
    """Index the documents of (kind name, ids) into new segments of ix without taking its lock.

    A segment is closed whenever its postings would pass `limitmb` of memory. Returns the segments
    (to commit) and the number of documents.
    """
    segments, count, writer = [], 0, None
    with reading(), Session(db.engine) as session:
        for name, kind_ids in ids:
            kind = KINDS[name]
            for start in range(0, len(kind_ids), BATCH):
                chunk = kind_ids[start:start + BATCH]
                writer = writer or TermWriter(ix, _lk=False)
                for obj in kind.load(session, chunk):
                    writer.add_document(**kind.build(obj))
                    count += 1
                session.expunge_all()
                if progress:
                    progress(len(chunk))
                if writer.pool.size() > limitmb * 2**20:
                    _finish(writer, segments)
                    writer = None
    if writer is not None:
        _finish(writer, segments)
    return segments, count


def _finish(writer: TermWriter, segments: list):
    # not writer._finish(): the temporary storage is shared, the committing writer removes it
    if writer.doc_count():
        segments.append(writer._finalize_segment())
    else:
        writer._close_segment()


def write_segments_forked(ix, shares: list[list[tuple[str, list[int]]]], limitmb: int,
                          progress: Callable[[int], None] | None = None) -> tuple[list, int]:
    """`write_segments` of each share in a forked process of its own (from the CLI, not a web worker)."""
    ctx = multiprocessing.get_context("fork")
    analysis.jieba_tokenizer()  # loaded once, before the fork, instead of once per worker
    workers, pending = [], {}
    try:
        for share in shares:
            receiver, sender = ctx.Pipe(duplex=False)
            worker = ctx.Process(target=_worker, args=(ix, share, limitmb, sender), daemon=True)
            worker.start()
            sender.close()
            workers.append(worker)
            pending[receiver] = len(workers) - 1
        results = [None] * len(workers)
        while pending:
            for conn in multiprocessing.connection.wait(list(pending)):
                try:
                    what, value = conn.recv()
                except EOFError:
                    raise RuntimeError("a search index worker died") from None
                if what == "progress":
                    if progress:
                        progress(value)
                elif what == "done":
                    results[pending.pop(conn)] = value
                else:
                    raise RuntimeError(f"a search index worker failed:\n{value}")
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.terminate()
            worker.join()
    return [s for segments, _ in results for s in segments], sum(n for _, n in results)


def _worker(ix, share, limitmb, conn):
    try:
        db.engine.dispose(close=False)  # the parent's pooled connections stay the parent's
        conn.send(("done", write_segments(ix, share, limitmb, lambda n: conn.send(("progress", n)))))
    except BaseException:
        conn.send(("error", traceback.format_exc()))
