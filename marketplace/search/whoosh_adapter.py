"""The one place that reads Whoosh's private attributes, for speed, with a fallback to its public API.

The ranking (search/docsets.py) needs, per index segment, every posting of a term (document ids and
weights) and every document's field length. Whoosh's public API yields them one Python call per
posting / per document; Whoosh 2.7's W3 codec keeps them in arrays per pickled block, which this module
reads directly (`_terms` and its `_postfile`, the term info's extent, the W3 block layout: a signed
length, the pickled block info, the data pickled and maybe zlib-compressed; `_perdoc`, `_dbfile`):
about ten times faster on a large index.

Fallback (documented and tested): if the fast path raises anything (another codec, another Whoosh
release or fork where the private names moved), the same answer is computed with the public API
(`reader.postings()`, `doc_field_length()`, `is_deleted()`); when the failure says the private API
changed (AttributeError, ImportError, TypeError) the fast path is switched off for the process (`FAST`
becomes False, logged once), so a broken private API costs one exception, not one per term. `use_public_api()` forces the fallback (tests compare both paths on the same index).

Writing (search/fastwriter.py) has one fast path: `term_adder` fills the W3 postings writer's blocks
a whole block at a time (`_postwriter`, `_ids`, `_weights`, `_values`, `_maxweight`, `_blocklimit`,
`_write_block`) instead of one `add()` call per posting. A term must not be half written when it
fails, so the private API is checked per field before any term is written (the exact W3PostingsWriter
class and the names it uses); if the check fails the fast path is switched off as above and terms go
through the public `add()`.
"""
import io
import logging
import pickle
import struct
import zlib
from itertools import accumulate

log = logging.getLogger("marketplace.search")

FAST = True
_W3_MAGIC = b"W3Bl"          # the start of a W3 postings list (whoosh.codec.whoosh3.WHOOSH3_HEADER_MAGIC)
_INT = struct.Struct("!i")   # a block's signed length (negative: the last block), as StructFile.write_int


def use_public_api(value: bool = True) -> None:
    """Force (or stop forcing) the public-API path."""
    global FAST
    FAST = not value


def _fast_failed(what: str, err: Exception) -> None:
    """Only a changed private API (a missing name) switches the fast path off; anything else (a damaged
    segment file...) falls back for this call and is met again by the public API, whose errors the
    index's recovery handles."""
    global FAST
    if isinstance(err, (AttributeError, ImportError, TypeError)):
        if FAST:
            log.warning("Whoosh private API unavailable for %s (%r): using the public API", what, err)
        FAST = False


def postings(seg_reader, fieldname: str, text: str) -> tuple:
    """(ids, weights) of a term in one segment, deleted documents included."""
    if FAST:
        try:
            return _postings_fast(seg_reader, fieldname, text)
        except Exception as err:  # noqa: BLE001 - any failure of the private path means: use the public one
            _fast_failed("postings", err)
    return _postings_public(seg_reader, fieldname, text)


def _postings_public(seg_reader, fieldname: str, text: str) -> tuple:
    if (fieldname, text) not in seg_reader:
        return (), ()
    m = seg_reader.postings(fieldname, text)
    ids, weights = [], []
    while m.is_active():
        ids.append(m.id())
        weights.append(m.weight())
        m.next()
    return ids, weights


def _postings_fast(seg_reader, fieldname: str, text: str) -> tuple:
    # A term's posting blocks are read with one read of the postings file and decoded here rather
    # than by Whoosh's matcher, which seeks and reads three times per block (length, pickled block
    # info from the file object, data). The delta-coded ids are summed by itertools.accumulate (C)
    # instead of Whoosh's per-posting generator, and constant weights are repeated, not generated.
    # This is most of a first query's cost (cold start).
    from whoosh.reading import TermNotFound
    terms = seg_reader._terms
    try:  # one look-up in the terms' hash table (a `in` test first would be a second)
        info = terms.term_info(fieldname, text.encode("utf-8"))
    except TermNotFound:
        return (), ()
    if info.is_inlined():
        return _postings_inlined(info)
    offset, length = info.extent()
    if isinstance(length, tuple):  # Whoosh 2.7 decodes it as struct.unpack's 1-tuple
        (length,) = length
    buf = terms._postfile.get(offset, length)
    if buf[:4] != _W3_MAGIC:
        raise ValueError(f"not a W3 postings list at {offset}")
    data = io.BytesIO(buf)
    ids, weights = [], []
    pos = 4
    while True:
        (blocklength,) = _INT.unpack_from(buf, pos)
        last = blocklength < 0
        end = pos + 4 + abs(blocklength)
        data.seek(pos + 4)
        count, _maxid, _maxweight, compression, _minlen, _maxlen = pickle.load(data)
        block = buf[data.tell():end]
        block_ids, block_weights, _values = pickle.loads(zlib.decompress(block) if compression else block)
        ids.extend(accumulate(block_ids))
        if block_weights is None:
            weights.extend([1.0] * count)
        elif isinstance(block_weights, float):
            weights.extend([block_weights] * count)
        else:
            weights.extend(block_weights)
        if last or end >= len(buf):
            break
        pos = end
    return ids, weights


def _postings_inlined(info) -> tuple:
    ids, weights, _values = info.inlined_postings()
    return list(ids), [float(w) for w in weights]


def length_bytes(seg_reader, fieldname: str) -> bytes:
    """The per-document length bytes of a field in one segment (Whoosh stores them one byte each)."""
    if FAST:
        try:
            return _length_bytes_fast(seg_reader, fieldname)
        except Exception as err:  # noqa: BLE001
            _fast_failed("field lengths", err)
    return _length_bytes_public(seg_reader, fieldname)


def _length_bytes_public(seg_reader, fieldname: str) -> bytes:
    from whoosh.util.numeric import length_to_byte
    return bytes(length_to_byte(seg_reader.doc_field_length(d, fieldname) or 0)
                 for d in range(seg_reader.doc_count_all()))


def _length_bytes_fast(seg_reader, fieldname: str) -> bytes:
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
    col = seg_reader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if col is None:
        return b""
    return col._dbfile.get(col._basepos, col._count)


def deleted_docs(seg_reader) -> list[int]:
    """Document numbers deleted in one segment."""
    if not seg_reader.has_deletions():
        return []
    if FAST:
        try:
            return list(seg_reader._perdoc.deleted_docs())
        except Exception as err:  # noqa: BLE001
            _fast_failed("deletions", err)
    return [d for d in range(seg_reader.doc_count_all()) if seg_reader.is_deleted(d)]


def fast_codec():
    """Whoosh's default codec without per-block length statistics.

    Those statistics only tighten the upper bounds used to skip blocks when scoring; collecting
    them reads every posting's field length back from disk and costs about a quarter of the
    indexing time. Scores are unchanged (field lengths are still stored per document).
    """
    from whoosh.codec import default_codec
    codec = default_codec()
    codec.length_stats = False
    return codec


COMPRESS_MIN_POSTINGS = 64  # smaller posting blocks are written uncompressed (term_adder's fast path)


def term_adder(fieldwriter):
    """A function writing one term's postings (ids rising, weights, value bytes) into a segment's
    field writer; made after the field's `start_field()`, called between `start_term()` and
    `finish_term()`."""
    if FAST:
        try:
            return _term_adder_fast(fieldwriter)
        except Exception as err:  # noqa: BLE001
            _fast_failed("postings writer", err)
    return _term_adder_public(fieldwriter)


def _term_adder_public(fieldwriter):
    add = fieldwriter.add

    def add_term(ids, weights, values):
        for docnum, weight, value in zip(ids, weights, values, strict=True):
            add(docnum, weight, value, 0)
    return add_term


def _term_adder_fast(fieldwriter):
    from array import array

    from whoosh.codec.whoosh3 import W3PostingsWriter
    pw = fieldwriter._postwriter
    if type(pw) is not W3PostingsWriter or pw._byteids or not callable(pw._new_block):
        raise TypeError(f"not a W3 postings writer of document ids: {pw!r}")
    limit, write_block, compression = pw._blocklimit, pw._write_block, pw._compression

    def add_term(ids, weights, values):
        # what add_posting() does one posting at a time: a full block is written before the next
        # posting is buffered; finish_postings() writes the last one
        for start in range(0, len(ids), limit):
            if start:
                write_block()
            end = start + limit
            pw._ids = array("I", ids[start:end])
            # zlib only pays on full blocks: most blocks hold a handful of postings, and compressing
            # each of those cost a tenth of the build for little disk (each block records its level)
            pw._compression = compression if len(pw._ids) >= COMPRESS_MIN_POSTINGS else 0
            block_weights = weights[start:end]
            pw._weights = array("f", block_weights)
            pw._maxweight = max(0, max(block_weights))
            pw._values = [v for v in values[start:end] if v]
    return add_term
