"""HTTP parameters → search request: invisible characters, filter limits."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from search_app.config import Settings
from search_app.errors import InvalidParameter
from search_app.params import parse_filters, visible_text

INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202e", "\u2066", "\u2069", "\ufeff",
             "\u00ad", "\u2060"]


@pytest.fixture(scope="module")
def limits(sample_index, sample_corpus) -> Settings:
    return Settings.load({"INDEX_DIR": sample_index, "CORPUS_DIR": sample_corpus})


@pytest.mark.parametrize("mark", INVISIBLE)
def test_invisible_characters_are_deleted_not_spaced(mark):
    assert visible_text(f"Sant{mark}é") == "Santé"
    assert visible_text(f"jardin{mark} partagé") == "jardin partagé"


@pytest.mark.parametrize("mark", INVISIBLE)
def test_a_bidi_mark_inside_a_filter_value_still_selects_the_value(limits, mark):
    filters = parse_filters(MultiDict([("keyword", f"Sant{mark}é"), ("department", f"{mark}Isère{mark}")]), limits)
    assert filters == {"keyword": ["Santé"], "department": ["Isère"]}


def test_filter_values_of_all_facets_together_are_bounded(limits):
    within = MultiDict([(facet, f"v{i}") for facet in ("keyword", "department", "year") for i in range(20)])
    assert sum(map(len, parse_filters(within, limits).values())) == limits.MAX_FILTERS
    too_many = MultiDict([*within.items(multi=True), ("status", "En cours")])
    with pytest.raises(InvalidParameter, match="trop de filtres"):
        parse_filters(too_many, limits)
