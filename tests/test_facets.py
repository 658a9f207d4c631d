"""Facet counting: both strategies (value-major mask, document-major CSR) agree with brute force."""

from __future__ import annotations

import numpy as np
import pytest

from search_app.facets import _Facet


@pytest.mark.parametrize("fraction", [0.0, 0.01, 0.1, 0.5, 1.0])
def test_counts_match_brute_force_for_small_and_large_match_sets(fraction):
    rng = np.random.default_rng(7)
    doc_count = 2_000
    docs = [np.unique(rng.integers(0, doc_count, size=rng.integers(1, 600))) for _ in range(30)]
    facet = _Facet.of([f"v{i}" for i in range(30)], docs, doc_count)
    mask = rng.random(doc_count) < fraction
    expected = [int(mask[d].sum()) for d in docs]
    assert facet.counts(mask).tolist() == expected
    assert facet.counts(mask, np.flatnonzero(mask)).tolist() == expected


def test_documents_without_any_value_count_nowhere():
    facet = _Facet.of(["a", "b"], [np.array([1, 3]), np.array([3])], doc_count=5)
    mask = np.array([True, True, False, True, True])
    assert facet.counts(mask, np.flatnonzero(mask)).tolist() == [2, 1]
