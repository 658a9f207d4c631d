"""Result objects → JSON-ready dicts (the API contract)."""

from __future__ import annotations

from collections.abc import Callable

from .labels import facet_label, value_label
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


def facet_value_to_dict(facet: str, value: FacetValue) -> dict:
    return {"value": value.value, "label": value_label(facet, value.value), "count": value.count,
            "selected": value.selected}


def _facet_list(facet: str, values: list[FacetValue], limit: int | None) -> list[dict]:
    """The first `limit` values (None: all), and any selected one beyond."""
    kept = values if limit is None else values[:limit] + [v for v in values[limit:] if v.selected]
    return [facet_value_to_dict(facet, value) for value in kept]


def listing_to_dict(listing) -> dict:
    """`GET /api/facets/<name>`: a `facet_values.FacetListing`."""
    response = listing.response
    return {
        "facet": listing.facet,
        "label": facet_label(listing.facet),
        "query": response.query,
        "filters": {name: list(values) for name, values in response.filters.items()},
        "total": response.total,
        "matching_values": listing.matching,
        "values": [facet_value_to_dict(listing.facet, value) for value in listing.values],
    }


def response_to_dict(response: SearchResponse, url_for_id: Callable[[str], str] | None = None,
                     facet_limit: int | None = None) -> dict:
    return {
        "query": response.query,
        "total": response.total,
        "page": response.page,
        "per_page": response.per_page,
        "sort": response.sort,
        "filters": {name: list(values) for name, values in response.filters.items()},
        "hits": [hit_to_dict(hit, url_for_id) for hit in response.hits],
        "facets": {name: _facet_list(name, values, facet_limit) for name, values in response.facets.items()},
        "suggestion": response.suggestion,
        "relaxed": response.relaxed,
        "similarity": response.similarity,
        "semantic": response.semantic,
        "expansions": list(response.expansions),
        "corrections": [{"typed": typed, "corrected": corrected} for typed, corrected in response.corrections],
        "took_ms": response.took_ms,
    }
