"""The plain result objects of a search: what the web layer serialises to JSON or HTML."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .query import clean_query

SORTS = ("relevance", "year", "title", "department")


@dataclass(frozen=True)
class SearchRequest:
    query: str = ""
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()
    page: int = 1
    per_page: int = 10
    sort: str = "relevance"
    ranges: tuple[tuple[str, int | None, int | None], ...] = ()
    """(field, lowest, highest) of the number filters (budget, participants); None is unbounded."""

    @staticmethod
    def make(query: str = "", filters: dict[str, list[str]] | None = None, page: int = 1,
             per_page: int = 10, sort: str = "relevance",
             ranges: dict[str, tuple[int | None, int | None]] | None = None) -> SearchRequest:
        """A normalised request: equal searches give equal (hashable) requests."""
        normalized = tuple(sorted(
            (name, tuple(sorted(set(values))))
            for name, values in (filters or {}).items() if values))
        bounded = tuple(sorted((name, low, high) for name, (low, high) in (ranges or {}).items()
                               if low is not None or high is not None))
        return SearchRequest(clean_query(query), normalized, page, per_page, sort, bounded)

    def with_filters(self, filters: dict[str, list[str]]) -> SearchRequest:
        return SearchRequest.make(self.query, filters, self.page, self.per_page, self.sort,
                                  {name: (low, high) for name, low, high in self.ranges})


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    selected: bool


@dataclass(frozen=True)
class Hit:
    id: str
    title: str
    structure: str
    department: str
    year: str
    status: str
    dimension: str
    public: list[str]
    keywords: list[str]
    snippet: str
    score: float | None


@dataclass(frozen=True)
class SearchResponse:
    query: str
    total: int
    page: int
    per_page: int
    sort: str
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    filters: dict[str, tuple[str, ...]]
    suggestion: str | None
    relaxed: bool
    similarity: bool
    took_ms: float
    generation: str
    semantic: bool = False
    """Whether the semantic layer (fiche vectors and query embeddings) was available."""
    expansions: tuple[str, ...] = ()
    """Equivalent expressions the search was widened to (synonyms, acronym long forms)."""
    corrections: tuple[tuple[str, str], ...] = ()
    """(typed, corrected) words also searched as corrected."""

    @property
    def page_count(self) -> int:
        if not self.per_page:
            return 1
        return max(1, math.ceil(self.total / self.per_page))
