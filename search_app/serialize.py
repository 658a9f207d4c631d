"""Result objects → JSON-ready dicts (the API contract)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict

from .search import Hit, SearchResponse


def hit_to_dict(hit: Hit, url_for_id: Callable[[str], str] | None = None) -> dict:
    data = asdict(hit)
    data["url"] = url_for_id(hit.id) if url_for_id else f"/actions/{hit.id}"
    return {key: data[key] for key in (
        "id", "url", "title", "structure", "department", "year", "status", "dimension",
        "public", "keywords", "snippet", "score")}


def response_to_dict(response: SearchResponse, url_for_id: Callable[[str], str] | None = None) -> dict:
    return {
        "query": response.query,
        "total": response.total,
        "page": response.page,
        "per_page": response.per_page,
        "sort": response.sort,
        "filters": {name: list(values) for name, values in response.filters.items()},
        "hits": [hit_to_dict(hit, url_for_id) for hit in response.hits],
        "facets": {name: [asdict(value) for value in values] for name, values in response.facets.items()},
        "suggestion": response.suggestion,
        "relaxed": response.relaxed,
        "similarity": response.similarity,
        "took_ms": response.took_ms,
    }
