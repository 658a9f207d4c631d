"""Result objects → JSON-ready dicts (the API contract)."""

from __future__ import annotations

from collections.abc import Callable

from .results import FacetValue, Hit, SearchResponse


def hit_to_dict(hit: Hit, url_for_id: Callable[[str], str] | None = None) -> dict:
    """Built field by field: `dataclasses.asdict` deep-copies and was a sixth of a request."""
    return {
        "id": hit.id,
        "url": url_for_id(hit.id) if url_for_id else f"/actions/{hit.id}",
        "title": hit.title,
        "structure": hit.structure,
        "department": hit.department,
        "year": hit.year,
        "status": hit.status,
        "dimension": hit.dimension,
        "public": list(hit.public),
        "keywords": list(hit.keywords),
        "snippet": hit.snippet,
        "score": hit.score,
    }


def _facet_value(value: FacetValue) -> dict:
    return {"value": value.value, "count": value.count, "selected": value.selected}


def response_to_dict(response: SearchResponse, url_for_id: Callable[[str], str] | None = None) -> dict:
    return {
        "query": response.query,
        "total": response.total,
        "page": response.page,
        "per_page": response.per_page,
        "sort": response.sort,
        "filters": {name: list(values) for name, values in response.filters.items()},
        "hits": [hit_to_dict(hit, url_for_id) for hit in response.hits],
        "facets": {name: [_facet_value(value) for value in values] for name, values in response.facets.items()},
        "suggestion": response.suggestion,
        "relaxed": response.relaxed,
        "similarity": response.similarity,
        "expansions": list(response.expansions),
        "corrections": [{"typed": typed, "corrected": corrected} for typed, corrected in response.corrections],
        "took_ms": response.took_ms,
    }
