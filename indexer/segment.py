"""Writing a whole Whoosh segment in one pass, several times faster than Whoosh's writer.

Whoosh's `SegmentWriter` analyses every field through `Token` objects, pools
each posting as a tuple, sorts the pool, then writes the postings one call at
a time, reading each document's field length back from disk. For a full build
this writer instead keeps the postings of each field in flat arrays while the
documents are added, groups them by term with numpy, and encodes each term's
blocks directly. It writes the same files, byte for byte, as
`SegmentWriter.add_document` followed by `commit` (a test compares them), so
everything that reads or updates the index — searches, incremental
`add_fiches`, merges — is unchanged.

The encoding follows whoosh3 3.54.0's W3 codec (pinned exactly in
pyproject.toml), private details included (block limit, compression
threshold, term-info layout, pickle protocol 2); `tests/test_segment.py`
compares the files with Whoosh's own and is what guards an upgrade.

Supported schemas: indexed fields in the `Frequency` or `Existence` format
without vectors or separate spelling fields, which is what `schema.py` builds.
Text fields whose analyzer has a `terms()` method (`FrenchAnalyzer`) skip
Whoosh's token objects; other fields go through `field.index()`.
"""

from __future__ import annotations

import struct
import zlib
from array import array
from collections import Counter
from collections.abc import Callable, Iterable
from pickle import dumps
from typing import Any

import numpy as np
from whoosh import formats
from whoosh.codec.base import Codec, Segment
from whoosh.codec.whoosh3 import COMPRESSION_MIN_SIZE, WHOOSH3_HEADER_MAGIC, W3Codec, W3FieldWriter, W3TermInfo
from whoosh.fields import FieldType, Schema
from whoosh.filedb.filestore import Storage
from whoosh.filedb.filetables import OrderedHashWriter
from whoosh.system import pack_int, pack_long, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte

_PACK_TERMINFO = W3TermInfo._struct.pack
_ROW_LENGTHS = struct.Struct("!ii").pack
_FLUSH_BYTES = 1 << 22


class UnsupportedSchema(TypeError):
    """The schema has a field this writer cannot encode exactly as Whoosh would."""


def check_schema(schema: Schema) -> None:
    """Raises UnsupportedSchema unless every field can be written by `BulkSegmentWriter`."""
    for name, field in schema.items():
        if not field.indexed:
            continue
        if type(field.format) not in (formats.Frequency, formats.Existence):
            raise UnsupportedSchema(f"{name}: format {type(field.format).__name__}")
        if field.format.field_boost != 1.0:
            raise UnsupportedSchema(f"{name}: field boost {field.format.field_boost} (weights are frequencies)")
        if field.vector or field.separate_spelling():
            raise UnsupportedSchema(f"{name}: vectors and separate spelling fields are not supported")


class _FieldPostings:
    """The postings of one field while documents are added: term ids, documents, frequencies."""

    __slots__ = ("ids", "terms", "term_ids", "docs", "freqs", "lengths")

    def __init__(self) -> None:
        self.ids: dict[Any, int] = {}
        self.terms: list[Any] = []
        self.term_ids = array("I")
        self.docs = array("I")
        self.freqs = array("I")
        self.lengths = array("I")

    def add(self, docnum: int, counts: dict[Any, int]) -> None:
        found = list(map(self.ids.get, counts))
        if None in found:
            found = [self._new_id(term) if term_id is None else term_id
                     for term, term_id in zip(counts, found)]
        self.term_ids.extend(found)
        self.docs.extend([docnum] * len(found))
        self.freqs.extend(counts.values())

    def _new_id(self, term: Any) -> int:
        term_id = self.ids.get(term)
        if term_id is None:
            term_id = self.ids[term] = len(self.terms)
            self.terms.append(term)
        return term_id

    def set_length(self, docnum: int, length: int) -> None:
        """Records a document's field length, as Whoosh reads it back (quantised to a byte)."""
        missing = docnum + 1 - len(self.lengths)
        if missing > 0:
            self.lengths.extend([0] * missing)
        self.lengths[docnum] = byte_to_length(length_to_byte(length))


def _mini_weights(low: int, high: int, weights: list[int]) -> Any:
    """Whoosh's compact form of a block's weights (frequencies, field boost 1): None, one value, or all."""
    if low == high:
        return None if high == 1 else float(high)
    return tuple(map(float, weights))


class _BulkTermTable(OrderedHashWriter):
    """Whoosh's ordered term table (`.trm`), taking rows in batches: one write per batch."""

    def add_rows(self, rows: list[tuple[bytes, bytes]]) -> None:
        if not rows:
            return
        if rows[0][0] <= self.lastkey:
            raise ValueError(f"Keys must increase: {self.lastkey!r}..{rows[0][0]!r}")
        position = self.dbfile.tell()
        out = bytearray()
        positions = []
        buckets = self.buckets
        hashfn = self.hashfn
        for key, value in rows:
            positions.append(position)
            out += _ROW_LENGTHS(len(key), len(value))
            out += key
            out += value
            code = hashfn(key)
            buckets[code & 255].append((code, position))
            position += 8 + len(key) + len(value)
        self.dbfile.write(out)
        self.index.extend(positions)
        self.lastkey = rows[-1][0]


class _BulkFieldWriter(W3FieldWriter):
    """W3FieldWriter that writes a field's postings lists whole."""

    def __init__(self, codec: Codec, storage: Storage, segment: Segment) -> None:
        super().__init__(codec, storage, segment)
        # The parent made the term table and wrote its header; only its methods change.
        self._tindex.__class__ = _BulkTermTable

    def add_terms(self, terms: Iterable[tuple[bytes, int, int]], postings: "_SortedPostings") -> None:
        """Writes each term's postings, slices [start, end) of `postings`, as Whoosh's PostingsWriter would.

        Blocks of `blocklimit` postings: a pickled header (count, last id, max
        weight, compression, min/max length bytes) then the pickled
        (delta-coded ids, weights, packed frequencies), zlib-compressed from
        COMPRESSION_MIN_SIZE bytes; then the term's row in the term table.
        """
        limit = self._codec._blocklimit
        level = self._codec._compression
        frequency = type(self._format) is formats.Frequency
        docs, deltas, freqs, lengths = postings.docs, postings.deltas, postings.freqs, postings.lengths
        postfile = self._postfile
        prefix = pack_ushort(self._fieldid)
        out = bytearray()
        rows: list[tuple[bytes, bytes]] = []
        base = postfile.tell()
        for btext, start, end in terms:
            offset = base + len(out)
            out += WHOOSH3_HEADER_MAGIC
            min_length = None
            max_length = 0
            max_weight = 0.0
            for first in range(start, end, limit):
                stop = min(first + limit, end)
                if frequency:
                    block_freqs = freqs[first:stop]
                    low, high = min(block_freqs), max(block_freqs)
                    weights = _mini_weights(low, high, block_freqs)
                    values = struct.pack(f"!{stop - first}I", *block_freqs)
                else:
                    high, weights, values = 1, None, None
                if lengths is not None:
                    block_lengths = lengths[first:stop]
                    block_min, block_max = min(block_lengths), max(block_lengths)
                    min_length = block_min if min_length is None else min(min_length, block_min)
                    max_length = max(max_length, block_max)
                else:
                    block_min, block_max = None, 0
                data = dumps((tuple(deltas[first:stop]), weights, values), 2)
                compression = level if len(data) >= COMPRESSION_MIN_SIZE else 0
                if compression:
                    data = zlib.compress(data, compression)
                info = dumps((stop - first, docs[stop - 1], float(high), compression,
                              length_to_byte(block_min), length_to_byte(block_max)), 2)
                size = len(info) + len(data)
                out += pack_int(-size if stop == end else size)
                out += info
                out += data
                if high > max_weight:
                    max_weight = float(high)
            total = float(sum(freqs[start:end])) if frequency else float(end - start)
            row = _PACK_TERMINFO(False, total, end - start,
                                 0 if min_length is None else length_to_byte(min_length),
                                 length_to_byte(max_length), max_weight, docs[start], docs[end - 1])
            rows.append((prefix + btext, row + pack_long(offset) + pack_int(base + len(out) - offset)))
            if len(out) >= _FLUSH_BYTES:
                postfile.write(out)
                base += len(out)
                out = bytearray()
                self._tindex.add_rows(rows)
                rows = []
        postfile.write(out)
        self._tindex.add_rows(rows)


class _SortedPostings:
    """A field's postings grouped by term, as Python lists (slicing them is what the writer does most)."""

    def __init__(self, docs: np.ndarray, freqs: np.ndarray, lengths: np.ndarray | None,
                 starts: np.ndarray, counts: np.ndarray, limit: int) -> None:
        within = np.arange(len(docs)) - np.repeat(starts, counts)
        deltas = np.diff(docs.astype(np.int64), prepend=0)
        block_starts = within % limit == 0
        deltas[block_starts] = docs[block_starts]
        self.docs = docs.tolist()
        self.deltas = deltas.tolist()
        self.freqs = freqs.tolist()
        self.lengths = lengths.tolist() if lengths is not None else None


def _field_terms(field: FieldType) -> Callable[[Any], list[str]] | None:
    """The analyzer's fast term list, when the field can use it (frequency text fields)."""
    terms = getattr(field.analyzer, "terms", None)
    if terms is not None and type(field.format) is formats.Frequency:
        return terms
    return None


class BulkSegmentWriter:
    """Adds documents (dicts of field values, as for `add_document`) to one new segment.

    `finish()` writes the postings and returns the segment, ready to be listed
    in a table of contents; until then nothing is visible to readers.
    """

    def __init__(self, storage: Storage, schema: Schema, codec: Codec, indexname: str) -> None:
        if not isinstance(codec, W3Codec):
            raise UnsupportedSchema(f"codec {type(codec).__name__} (only Whoosh's W3Codec is reproduced)")
        check_schema(schema)
        self.storage = storage
        self.schema = schema
        self.codec = codec
        self.segment = codec.new_segment(storage, indexname)
        self.perdoc = codec.per_document_writer(storage, self.segment)
        self.docnum = 0
        self._postings: dict[str, _FieldPostings] = {}
        self._fast_terms = {name: _field_terms(field) for name, field in schema.items()}

    def add_document(self, document: dict[str, Any]) -> None:
        schema = self.schema
        perdoc = self.perdoc
        docnum = self.docnum
        names = sorted(document)
        unknown = [name for name in names if name not in schema or name.startswith("_")]
        if unknown:
            raise ValueError(f"champs inconnus du schéma ou réservés : {', '.join(unknown)}")
        perdoc.start_doc(docnum)
        for name in names:
            value = document[name]
            if value is None:
                continue
            field = schema[name]
            length = 0
            if field.indexed:
                counts = self._term_counts(name, field, value)
                if counts:
                    postings = self._postings.get(name)
                    if postings is None:
                        postings = self._postings[name] = _FieldPostings()
                    postings.add(docnum, counts)
                    if field.scorable:
                        length = sum(counts.values())
                        postings.set_length(docnum, length)
            perdoc.add_field(name, field, value if field.stored else None, length)
            column = field.column_type
            if column:
                perdoc.add_column_value(name, column, field.to_column_value(value))
        perdoc.finish_doc()
        self.docnum += 1

    def _term_counts(self, name: str, field: FieldType, value: Any) -> dict[Any, int]:
        fast = self._fast_terms[name]
        if fast is not None and isinstance(value, str):
            return Counter(fast(value))
        counts: dict[Any, int] = {}
        for btext, freq, _weight, _value in field.index(value):
            counts[btext] = freq
        return counts

    def add_documents(self, documents: Iterable[dict[str, Any]]) -> None:
        for document in documents:
            self.add_document(document)

    def finish(self) -> Segment:
        """Writes the term dictionary and postings; returns the finished segment."""
        self.perdoc.close()
        fieldwriter = _BulkFieldWriter(self.codec, self.storage, self.segment)
        try:
            for name in sorted(self._postings):
                self._write_field(fieldwriter, name, self._postings.pop(name))
        finally:
            fieldwriter.close()
        self.segment.set_doc_count(self.docnum)
        return self.segment

    def cancel(self) -> None:
        if not self.perdoc.is_closed:
            self.perdoc.close()

    def _write_field(self, fieldwriter: _BulkFieldWriter, name: str, postings: _FieldPostings) -> None:
        field = self.schema[name]
        fieldwriter.start_field(name, field)
        btexts = [term if isinstance(term, bytes) else term.encode("utf-8") for term in postings.terms]
        term_ids = np.frombuffer(postings.term_ids, dtype=np.uint32)
        order = np.argsort(term_ids, kind="stable")
        docs = np.frombuffer(postings.docs, dtype=np.uint32)[order]
        freqs = np.frombuffer(postings.freqs, dtype=np.uint32)[order]
        lengths = None
        if field.scorable and len(postings.lengths):
            table = np.zeros(self.docnum, dtype=np.uint32)
            table[:len(postings.lengths)] = np.frombuffer(postings.lengths, dtype=np.uint32)
            lengths = table[docs]
        counts = np.bincount(term_ids, minlength=len(btexts))
        starts = np.cumsum(counts) - counts
        sorted_postings = _SortedPostings(docs, freqs, lengths, starts, counts, self.codec._blocklimit)
        starts_list = starts.tolist()
        ends_list = (starts + counts).tolist()
        terms = ((btexts[i], starts_list[i], ends_list[i])
                 for i in sorted(range(len(btexts)), key=btexts.__getitem__))
        fieldwriter.add_terms(terms, sorted_postings)
        fieldwriter.finish_field()
