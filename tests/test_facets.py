"""Facet counting: dense and sparse slots, direct and complement counts, all agree with brute force."""

from __future__ import annotations

import numpy as np
import pytest

import search_app.facets as facets_module
from search_app.facets import FacetTable, MatchSet, _Facet


def random_facet(rng, doc_count: int, values: int, max_docs: int) -> list[np.ndarray]:
    return [np.unique(rng.integers(0, doc_count, size=rng.integers(1, max_docs))) for _ in range(values)]


@pytest.mark.parametrize("fraction", [0.0, 0.01, 0.1, 0.5, 0.9, 1.0])
@pytest.mark.parametrize("shape", ["one value per document", "many values per document"])
def test_counts_match_brute_force_for_small_and_large_match_sets(fraction, shape):
    rng = np.random.default_rng(7)
    doc_count = 2_000
    if shape == "one value per document":
        owner = rng.integers(0, 6, size=doc_count)
        owner[rng.random(doc_count) < 0.1] = -1
        docs = [np.flatnonzero(owner == v) for v in range(6)]
    else:
        docs = random_facet(rng, doc_count, values=30, max_docs=600)
    live = rng.random(doc_count) < 0.95
    docs = [d[live[d]] for d in docs]
    facet = _Facet.of([f"v{i}" for i in range(len(docs))], docs, doc_count, live)
    mask = (rng.random(doc_count) < fraction) & live
    expected = [int(mask[d].sum()) for d in docs]
    assert facet.counts(MatchSet(mask, live, int(live.sum()))).tolist() == expected


def test_slots_are_dense_only_when_many_documents_fill_them():
    doc_count = 100
    docs = [np.arange(0, 100), np.array([5, 7])]  # every document has "a"; two also have "b"
    facet = _Facet.of(["a", "b"], docs, doc_count)
    assert [slot.by_doc is not None for slot in facet.slots] == [True, False]


def test_documents_without_any_value_count_nowhere():
    facet = _Facet.of(["a", "b"], [np.array([1, 3]), np.array([3])], doc_count=5)
    mask = np.array([True, True, False, True, True])
    assert facet.counts(MatchSet(mask, np.ones(5, dtype=bool), 5)).tolist() == [2, 1]


def test_disjunctive_counts_ignore_the_facets_own_filter():
    live = np.ones(6, dtype=bool)
    table = FacetTable(6, live, {
        "color": _Facet.of(["red", "blue"], [np.array([0, 1, 2]), np.array([3, 4, 5])], 6),
        "size": _Facet.of(["S", "L"], [np.array([0, 3]), np.array([1, 2, 4, 5])], 6),
    })
    counts = table.disjunctive_counts(live.copy(), {"color": ("red",)}, limit=10)
    assert counts["color"] == [("blue", 3, False), ("red", 3, True)]
    assert counts["size"] == [("L", 2, False), ("S", 1, False)]


@pytest.mark.parametrize("kept", [1, 64])
@pytest.mark.parametrize("fraction", [0.05, 0.4, 0.9])
def test_single_valued_facets_counted_together_match_brute_force(fraction, kept, monkeypatch):
    monkeypatch.setattr(facets_module, "VALUE_MASKS_KEPT", kept)
    rng = np.random.default_rng(3)
    doc_count = 3_000
    live = rng.random(doc_count) < 0.97
    facets, truth = {}, {}
    for name, width in (("status", 2), ("dimension", 3), ("year", 16), ("department", 101)):
        owner = rng.integers(0, width, size=doc_count)
        owner[rng.random(doc_count) < 0.05] = -1
        docs = [np.flatnonzero((owner == v) & live) for v in range(width)]
        facets[name] = _Facet.of([f"{name}{v:03d}" for v in range(width)], docs, doc_count, live)
        truth[name] = docs
    facets["keyword"] = _Facet.of([f"k{i}" for i in range(20)], random_facet(rng, doc_count, 20, 900),
                                  doc_count, live)
    truth["keyword"] = [d[live[d]] for d in facets["keyword"].docs]
    table = FacetTable(doc_count, live, facets)
    assert [group.names for group in table.joint] == [["status", "dimension", "year"]]
    matched = (rng.random(doc_count) < fraction) & live
    for filters in ({}, {"year": ("year003",)}, {"keyword": ("k1", "k2")},
                    {"status": ("status001",), "dimension": ("dimension000", "dimension002"), "keyword": ("k3",)}):
        counts = table.disjunctive_counts(matched, filters, limit=1000)
        for name, docs in truth.items():
            base = matched & table.filter_mask(filters, skip=name)
            expected = {value: int(base[d].sum()) for value, d in zip(facets[name].values, docs)}
            got = {value: count for value, count, _ in counts[name]}
            assert got == {v: c for v, c in expected.items() if c or v in filters.get(name, ())}, (name, filters)


def test_value_masks_are_shared_read_only():
    live = np.ones(4, dtype=bool)
    table = FacetTable(4, live, {"color": _Facet.of(["red", "blue"], [np.array([0, 1]), np.array([2])], 4)})
    mask = table.value_mask("color", ["red"])
    assert not mask.flags.writeable
    assert table.filter_mask({"color": ("red",)}).tolist() == [True, True, False, False]
    assert table.value_mask("color", ["red", "blue", "vert"]).tolist() == [True, True, True, False]
    assert table.value_mask("color", ["red"]).tolist() == [True, True, False, False]
