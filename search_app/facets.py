"""Facet counting with arrays, loaded once per index generation.

For every facet value the table keeps the sorted numbers of the documents
holding it. A query's matches become a boolean mask over all documents; a
count is then `mask[docs].sum()`, with no per-document Python loop. Counts
are disjunctive: facet F is counted over the matches filtered by every facet
except F itself, so a selected value never hides its siblings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from .postings import read_postings


@dataclass
class _Facet:
    values: list[str]
    docs: list[np.ndarray]
    index: dict[str, int]
    flat_docs: np.ndarray
    flat_ordinals: np.ndarray
    """All (document, value ordinal) pairs, value-major: count a large match set in one `bincount`."""
    doc_starts: np.ndarray
    doc_ordinals: np.ndarray
    """The same pairs document-major (CSR): count a small match set by visiting only its documents."""

    @classmethod
    def of(cls, values: list[str], docs: list[np.ndarray], doc_count: int) -> _Facet:
        flat_docs = np.concatenate(docs).astype(np.int32) if docs else np.zeros(0, dtype=np.int32)
        flat_ordinals = (np.repeat(np.arange(len(docs), dtype=np.int32), [len(d) for d in docs]) if docs
                         else np.zeros(0, dtype=np.int32))
        order = np.argsort(flat_docs, kind="stable")
        doc_starts = np.zeros(doc_count + 1, dtype=np.int64)
        np.cumsum(np.bincount(flat_docs, minlength=doc_count), out=doc_starts[1:])
        return cls(values, docs, {v: i for i, v in enumerate(values)}, flat_docs, flat_ordinals,
                   doc_starts, flat_ordinals[order])

    def counts(self, mask: np.ndarray, matched: np.ndarray | None = None) -> np.ndarray:
        """Documents per value among `mask` (`matched` = its document numbers, if known)."""
        if matched is not None and len(matched) * 4 < len(self.flat_docs):
            starts = self.doc_starts[matched]
            lengths = self.doc_starts[matched + 1] - starts
            total = int(lengths.sum())
            offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
            return np.bincount(self.doc_ordinals[offsets], minlength=len(self.values))
        return np.bincount(self.flat_ordinals[mask[self.flat_docs]], minlength=len(self.values))


class FacetTable:
    def __init__(self, doc_count: int, live: np.ndarray, facets: dict[str, _Facet]) -> None:
        self.doc_count = doc_count
        self.live = live
        self.live_count = int(live.sum())
        self.facets = facets

    @classmethod
    def from_reader(cls, reader, names: Iterable[str]) -> FacetTable:
        doc_count = reader.doc_count_all()
        live = np.ones(doc_count, dtype=bool)
        if reader.has_deletions():
            for docnum in range(doc_count):
                if reader.is_deleted(docnum):
                    live[docnum] = False
        facets = {}
        for name in names:
            values, docs = [], []
            if name in reader.indexed_field_names():
                for term in reader.lexicon(name):
                    value = term.decode("utf-8") if isinstance(term, bytes) else term
                    ids, _ = read_postings(reader, name, value)
                    ids = ids[live[ids]]
                    if len(ids):
                        values.append(value)
                        docs.append(ids)
            facets[name] = _Facet.of(values, docs, doc_count)
        return cls(doc_count, live, facets)

    def all_docs(self) -> np.ndarray:
        return self.live.copy()

    def value_mask(self, name: str, values: Iterable[str]) -> np.ndarray:
        """Documents holding any of the values (values of one facet are OR-ed)."""
        mask = np.zeros(self.doc_count, dtype=bool)
        facet = self.facets.get(name)
        if facet is None:
            return mask
        for value in values:
            position = facet.index.get(value)
            if position is not None:
                mask[facet.docs[position]] = True
        return mask

    def filter_mask(self, filters: dict[str, tuple[str, ...]], skip: str | None = None) -> np.ndarray:
        """Documents passing every facet filter (different facets are AND-ed), except `skip`."""
        mask = self.live.copy()
        for name, values in filters.items():
            if name != skip and values:
                mask &= self.value_mask(name, values)
        return mask

    def disjunctive_counts(self, matched: np.ndarray, filters: dict[str, tuple[str, ...]],
                           limit: int) -> dict[str, list[tuple[str, int, bool]]]:
        """Per facet: (value, count, selected), by count then value; selected values always kept."""
        out = {}
        shared = matched & self.filter_mask(filters)
        shared_docs = np.flatnonzero(shared)
        for name, facet in self.facets.items():
            if filters.get(name):
                base = matched & self.filter_mask(filters, skip=name)
                counts = facet.counts(base, np.flatnonzero(base))
            else:
                counts = facet.counts(shared, shared_docs)
            selected = set(filters.get(name, ()))
            rows = [(value, int(count), value in selected)
                    for value, count in zip(facet.values, counts.tolist()) if count or value in selected]
            rows.sort(key=lambda row: (-row[1], row[0].lower()))
            kept = rows[:limit]
            kept += [row for row in rows[limit:] if row[2]]
            kept += [(value, 0, True) for value in selected if value not in facet.index]
            out[name] = kept
        return out
