"""Facet values: a typed filter value resolved to a stored one, and every value of a facet listed.

Resolution: `department=80`, `department=somme` and `department=Somme` are
the same filter (the official list of départements and régions decides: a
near miss such as "Sommes" is an error naming the closest, a value like no
official name is kept and finds nothing); for every other facet a value
is matched against the snapshot's stored values ignoring case and accents (and
through its display label), and kept as typed when nothing matches.

Listing: every value of one facet with its disjunctive count under a query and
filters, optionally those whose words start with a prefix, for "Voir tout /
rechercher une valeur" and `GET /api/facets/<name>`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.analysis import fold
from indexer.territory import canonical_departement, canonical_region, closest_departements, closest_regions

from .errors import InvalidParameter
from .labels import value_label
from .params import check_year
from .results import FacetValue, SearchRequest, SearchResponse

_WORD_STARTS = re.compile(r"[a-z0-9]+")


def value_key(text: str) -> str:
    """Case, accents and punctuation ignored."""
    return " ".join(_WORD_STARTS.findall(fold(str(text)).lower()))


def _stored_keys(snapshot, facet: str) -> dict[str, str]:
    keys = snapshot.value_keys.get(facet)
    if keys is None:
        table = snapshot.facets.facets.get(facet)
        keys = {}
        for value in (table.values if table is not None else ()):
            keys.setdefault(value_key(value_label(facet, value)), value)
            keys.setdefault(value_key(value), value)
        snapshot.value_keys[facet] = keys
    return keys


_OFFICIAL_NAMES = {
    "department": (canonical_departement, closest_departements, "département"),
    "region": (canonical_region, closest_regions, "région"),
}
"""Facets with an official list: (canonical name of a typed value, closest names, what a value is)."""


def resolve_value(snapshot, facet: str, value: str) -> str:
    """The stored value a typed one means; raises InvalidParameter for an unknown département or région."""
    if facet == "year":
        check_year(value)
        return value
    if facet in _OFFICIAL_NAMES:
        canonical, closest, noun = _OFFICIAL_NAMES[facet]
        found = canonical(value)
        if found is not None:
            return found
        near = closest(value)
        if near:
            raise _unknown(facet, value, near, noun)
        return value
    table = snapshot.facets.facets.get(facet)
    if table is not None and value in table.index:
        return value
    return _stored_keys(snapshot, facet).get(value_key(value), value)


def _unknown(facet: str, value: str, closest: list[str], noun: str) -> InvalidParameter:
    hint = f" ; vouliez-vous dire {' ou '.join(f'« {name} »' for name in closest)} ?" if closest else ""
    return InvalidParameter(f"{noun} inconnu{'e' if noun == 'région' else ''} « {value[:60]} » "
                            f"pour le filtre « {facet} »{hint}", code="unknown_value")


def resolve_request(snapshot, request: SearchRequest) -> SearchRequest:
    """The request with every filter value replaced by the stored value it means."""
    if not request.filters:
        return request
    resolved = {name: [resolve_value(snapshot, name, value) for value in values] for name, values in request.filters}
    if all(tuple(sorted(set(resolved[name]))) == values for name, values in request.filters):
        return request
    return request.with_filters(resolved)


@dataclass(frozen=True)
class FacetListing:
    facet: str
    values: list[FacetValue]
    """The values kept (after the prefix and the limit), by count."""
    matching: int
    """Values matching the prefix, before the limit."""
    response: SearchResponse


def matches_prefix(facet: str, value: str, prefix_key: str) -> bool:
    """Whether a word of the value (or of its label, e.g. the code in "Somme (80)") starts with the prefix."""
    if not prefix_key:
        return True
    for text in {value, value_label(facet, value)}:
        key = value_key(text)
        if key.startswith(prefix_key) or f" {prefix_key}" in f" {key}":
            return True
    return False


def facet_listing(engine, request: SearchRequest, facet: str, prefix: str = "",
                  limit: int | None = None) -> FacetListing:
    """Every value of `facet` counted under the request's query and filters."""
    response = engine.search(SearchRequest.make(
        request.query, {name: list(values) for name, values in request.filters}, 1, 1, request.sort,
        {name: (low, high) for name, low, high in request.ranges}))
    prefix_key = value_key(prefix)
    values = [v for v in response.facets.get(facet, []) if matches_prefix(facet, v.value, prefix_key)]
    kept = values if limit is None else values[:limit]
    return FacetListing(facet, kept, len(values), response)
