"""Facet counting with arrays, loaded once per index generation.

A facet's (document, value) pairs are stored in slots: slot j holds the
j-th value of every document that has one (most facets have one value per
document, so one slot). A slot held by many documents also keeps a dense
array giving each document's value ordinal, so counting a match set is one
gather and one `bincount` over the matched documents, or over the others
when more than half match (counts = totals − counts of the rest). A slot held
by few documents is counted by visiting those documents only. Facets with one
value per document and few values (status, dimension, public, year) are
also counted together, from one combined code per document. No per-document
Python loop; the work is bounded by min(matched, unmatched) documents.

Counts are disjunctive: facet F is counted over the matches filtered by every
facet except F itself, so a selected value never hides its siblings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .postings import read_postings

DENSE_SHARE = 1 / 8
"""A slot gets a per-document array when at least this share of the documents fill it."""


class MatchSet:
    """A set of live documents as a mask, with its document numbers and its complement computed on demand."""

    def __init__(self, mask: np.ndarray, live: np.ndarray, live_count: int) -> None:
        self.mask = mask
        self.live = live
        self.size = int(np.count_nonzero(mask))
        self.other_size = live_count - self.size

    @cached_property
    def docs(self) -> np.ndarray:
        return np.flatnonzero(self.mask)

    @cached_property
    def others(self) -> np.ndarray:
        """Live documents outside the set."""
        return np.flatnonzero(self.live & ~self.mask)


@dataclass
class _Slot:
    docs: np.ndarray
    """Documents filling this slot (sorted), and the value ordinal each holds here."""
    ordinals: np.ndarray
    by_doc: np.ndarray | None
    """Dense slots: per document, its value ordinal or the sentinel `len(values)`."""
    live_totals: np.ndarray | None
    """Dense slots: documents per ordinal (sentinel included) among live documents."""

    def counts(self, matches: MatchSet, width: int) -> np.ndarray:
        """Matched documents per ordinal, `width` = number of values + 1 (the last is the sentinel)."""
        if self.by_doc is not None and 2 * min(matches.size, matches.other_size) < 3 * len(self.docs):
            return _dense_counts(self.by_doc, self.live_totals, matches)
        return np.bincount(self.ordinals[matches.mask[self.docs]], minlength=width)


def _dense_counts(codes: np.ndarray, live_totals: np.ndarray, matches: MatchSet) -> np.ndarray:
    """Matched documents per code, from each document's code: over the matches or, if fewer, the others."""
    if matches.size <= matches.other_size:
        return np.bincount(codes[matches.docs], minlength=len(live_totals))
    return live_totals - np.bincount(codes[matches.others], minlength=len(live_totals))


@dataclass
class _Facet:
    values: list[str]
    docs: list[np.ndarray]
    index: dict[str, int]
    slots: list[_Slot]

    @classmethod
    def of(cls, values: list[str], docs: list[np.ndarray], doc_count: int,
           live: np.ndarray | None = None) -> _Facet:
        """A facet from each value's sorted live documents."""
        live = np.ones(doc_count, dtype=bool) if live is None else live
        sentinel = len(values)
        flat_docs = np.concatenate(docs).astype(np.intp) if docs else np.zeros(0, dtype=np.intp)
        flat_ordinals = np.repeat(np.arange(len(docs), dtype=np.intp), [len(d) for d in docs])
        order = np.argsort(flat_docs, kind="stable")
        flat_docs, flat_ordinals = flat_docs[order], flat_ordinals[order]
        starts = np.zeros(doc_count + 1, dtype=np.intp)
        np.cumsum(np.bincount(flat_docs, minlength=doc_count), out=starts[1:])
        rank = np.arange(len(flat_docs)) - starts[flat_docs]
        slots = []
        for j in range(int(rank.max()) + 1 if len(rank) else 0):
            in_slot = rank == j
            slot_docs, slot_ordinals = flat_docs[in_slot], flat_ordinals[in_slot]
            by_doc = live_totals = None
            if len(slot_docs) >= DENSE_SHARE * doc_count:
                by_doc = np.full(doc_count, sentinel, dtype=np.intp)
                by_doc[slot_docs] = slot_ordinals
                live_totals = np.bincount(by_doc[live], minlength=sentinel + 1)
            slots.append(_Slot(slot_docs, slot_ordinals, by_doc, live_totals))
        return cls(values, docs, {v: i for i, v in enumerate(values)}, slots)

    def counts(self, matches: MatchSet) -> np.ndarray:
        """Documents per value among the matches."""
        width = len(self.values) + 1
        total = np.zeros(width, dtype=np.int64)
        for slot in self.slots:
            total += slot.counts(matches, width)
        return total[:-1]


VALUE_MASKS_KEPT = 64
"""Facet values whose document masks are kept (one byte per document each)."""

JOINT_CELLS = 4096
"""Largest product of facet widths counted together in one pass."""


@dataclass
class _JointSlots:
    """Facets with one value per document, counted together: one `bincount` of combined codes.

    A document's code is its ordinals in mixed radix (sentinel included), so
    the counts form a small cube whose marginals are the facets' counts.
    """

    names: list[str]
    shape: tuple[int, ...]
    codes: np.ndarray
    live_totals: np.ndarray

    @classmethod
    def of(cls, slots: dict[str, _Slot], widths: dict[str, int], live: np.ndarray) -> _JointSlots:
        names = list(slots)
        shape = tuple(widths[name] for name in names)
        codes = np.zeros(len(live), dtype=np.intp)
        for name, width in zip(names, shape):
            codes = codes * width + slots[name].by_doc
        size = int(np.prod(shape))
        return cls(names, shape, codes, np.bincount(codes[live], minlength=size))

    def counts(self, matches: MatchSet) -> dict[str, np.ndarray]:
        cube = _dense_counts(self.codes, self.live_totals, matches).reshape(self.shape)
        axes = range(len(self.shape))
        return {name: cube.sum(axis=tuple(a for a in axes if a != i))[:-1]
                for i, name in enumerate(self.names)}


def _joint_groups(facets: dict[str, _Facet], live: np.ndarray) -> list[_JointSlots]:
    """Groups of single-slot dense facets, narrowest first, each within JOINT_CELLS codes."""
    single = sorted((len(f.values) + 1, name) for name, f in facets.items()
                    if len(f.slots) == 1 and f.slots[0].by_doc is not None)
    groups: list[list[tuple[int, str]]] = []
    for width, name in single:
        if groups and np.prod([w for w, _ in groups[-1]]) * width <= JOINT_CELLS:
            groups[-1].append((width, name))
        else:
            groups.append([(width, name)])
    return [_JointSlots.of({name: facets[name].slots[0] for _, name in group}, {name: w for w, name in group}, live)
            for group in groups if len(group) > 1]


class FacetTable:
    def __init__(self, doc_count: int, live: np.ndarray, facets: dict[str, _Facet]) -> None:
        self.doc_count = doc_count
        self.live = live
        self.live_count = int(live.sum())
        self.facets = facets
        self.joint = _joint_groups(facets, live)
        self._value_masks: dict[tuple[str, str], np.ndarray] = {}

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
            facets[name] = _Facet.of(values, docs, doc_count, live)
        return cls(doc_count, live, facets)

    def all_docs(self) -> np.ndarray:
        return self.live.copy()

    def value_mask(self, name: str, values: Iterable[str]) -> np.ndarray:
        """Documents holding any of the values (values of one facet are OR-ed); read-only."""
        masks = [self._single_value_mask(name, value) for value in values]
        if len(masks) == 1:
            return masks[0]
        return np.logical_or.reduce(masks) if masks else np.zeros(self.doc_count, dtype=bool)

    def _single_value_mask(self, name: str, value: str) -> np.ndarray:
        """One value's documents as a mask, kept for the next queries (filters repeat)."""
        key = (name, value)
        mask = self._value_masks.get(key)
        if mask is None:
            mask = np.zeros(self.doc_count, dtype=bool)
            facet = self.facets.get(name)
            position = facet.index.get(value) if facet is not None else None
            if position is not None:
                mask[facet.docs[position]] = True
            mask.flags.writeable = False
            if len(self._value_masks) >= VALUE_MASKS_KEPT:
                self._value_masks.clear()
            self._value_masks[key] = mask
        return mask

    def filter_mask(self, filters: dict[str, tuple[str, ...]], skip: str | None = None) -> np.ndarray:
        """Documents passing every facet filter (different facets are AND-ed), except `skip`."""
        mask = self.live.copy()
        for name, values in filters.items():
            if name != skip and values:
                mask &= self.value_mask(name, values)
        return mask

    def matches(self, mask: np.ndarray) -> MatchSet:
        return MatchSet(mask, self.live, self.live_count)

    def disjunctive_counts(self, matched: np.ndarray, filters: dict[str, tuple[str, ...]],
                           limit: int | None = None) -> dict[str, list[tuple[str, int, bool]]]:
        """Per facet: (value, count, selected), by count then value; selected values always kept.

        `limit` cuts each facet's list (None: every value).
        """
        out = {}
        shared = self.matches(matched & self.filter_mask(filters))
        counted: dict[str, np.ndarray] = {}
        for group in self.joint:
            unfiltered = [name for name in group.names if not filters.get(name)]
            if len(unfiltered) > 1:
                together = group.counts(shared)
                counted.update((name, together[name]) for name in unfiltered)
        for name, facet in self.facets.items():
            if name in counted:
                counts = counted[name]
            elif filters.get(name):
                counts = facet.counts(self.matches(matched & self.filter_mask(filters, skip=name)))
            else:
                counts = facet.counts(shared)
            selected = set(filters.get(name, ()))
            rows = [(value, int(count), value in selected)
                    for value, count in zip(facet.values, counts.tolist()) if count or value in selected]
            rows.sort(key=lambda row: (-row[1], row[0].lower()))
            cut = len(rows) if limit is None else limit
            kept = rows[:cut]
            kept += [row for row in rows[cut:] if row[2]]
            kept += [(value, 0, True) for value in selected if value not in facet.index]
            out[name] = kept
        return out
