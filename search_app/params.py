"""HTTP parameters → validated search arguments (no Flask: any mapping with `getlist`).

Also owns which parameters each endpoint knows: the API refuses the others
(with the closest known name), the pages ignore them and say so.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from typing import Any, Protocol

from indexer.schema import PUBLIC_FACETS, RANGE_FIELDS

from .config import Settings
from .errors import InvalidParameter
from .query import clean_query
from .results import SORTS, SearchRequest

MAX_FILTER_VALUE_CHARS = 200
# Zero-width, bidi and other format characters (Unicode category Cf): invisible, so deleted, not spaced.
_INVISIBLE = re.compile("[" + "".join(re.escape(chr(c)) for c in range(0x110000)
                                      if unicodedata.category(chr(c)) == "Cf") + "]")
SORT_LABELS = {"relevance": "pertinence", "year": "année", "title": "titre", "department": "département"}
RANGE_PARAMS: tuple[str, ...] = tuple(f"{name}_{end}" for name in RANGE_FIELDS for end in ("min", "max"))
MAX_RANGE_VALUE = 10**9
SEARCH_PARAMS: tuple[str, ...] = ("q", "page", "per_page", "sort", "facet_limit", *PUBLIC_FACETS, *RANGE_PARAMS)
FACET_VALUES_PARAMS: tuple[str, ...] = (*SEARCH_PARAMS, "prefix", "limit")
PAGE_PARAMS: tuple[str, ...] = (*SEARCH_PARAMS, "view")
PER_PAGE_CHOICES: tuple[int, ...] = (10, 20, 50)
FILTER_PARAMS: tuple[str, ...] = (*PUBLIC_FACETS,)
SIMILAR_PARAMS: tuple[str, ...] = ("text", "limit", *PUBLIC_FACETS)
FICHE_SIMILAR_PARAMS: tuple[str, ...] = ("limit", *PUBLIC_FACETS)
SUGGEST_PARAMS: tuple[str, ...] = ("q",)
_YEAR = re.compile(r"\d{4}")


class MultiMapping(Protocol):
    def get(self, key: str, default: Any = None) -> Any: ...
    def getlist(self, key: str) -> list[Any]: ...


def _int_param(args: MultiMapping, name: str, default: Any, low: int, high: int) -> Any:
    raw = args.get(name)
    if raw is None or str(raw).strip() == "":
        return default
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise InvalidParameter(f"le paramètre « {name} » doit être un nombre entier (reçu « {str(raw)[:40]} »)") from None
    if not low <= value <= high:
        raise InvalidParameter(f"le paramètre « {name} » doit être compris entre {low} et {high} (reçu {value})")
    return value


def unknown_parameters(names: Iterable[str], known: Iterable[str]) -> list[str]:
    """The parameter names that are not among the known ones, in order, once each."""
    allowed = set(known)
    return list(dict.fromkeys(str(name) for name in names if name not in allowed))


def closest_parameter(name: str, known: Iterable[str]) -> str | None:
    found = difflib.get_close_matches(name.lower(), list(known), n=1, cutoff=0.6)
    return found[0] if found else None


def check_parameters(names: Iterable[str], known: Iterable[str]) -> None:
    """Raises InvalidParameter naming the first unknown parameter, the closest known one and all of them."""
    known = tuple(known)
    unknown = unknown_parameters(names, known)
    if not unknown:
        return
    name = unknown[0]
    closest = closest_parameter(name, known)
    hint = f" ; vouliez-vous dire {closest} ?" if closest else ""
    raise InvalidParameter(f"paramètre inconnu « {name[:40]} »{hint} Paramètres possibles : {', '.join(known)}",
                           code="unknown_parameter")


def check_year(value: str) -> None:
    if not _YEAR.fullmatch(value):
        raise InvalidParameter(f"le filtre « year » attend une année sur quatre chiffres (reçu « {value[:40]} »)")


def parse_ranges(args: MultiMapping) -> dict[str, tuple[int | None, int | None]]:
    """budget_min/budget_max, participants_min/participants_max as whole numbers."""
    ranges = {}
    for name in RANGE_FIELDS:
        low = _int_param(args, f"{name}_min", None, 0, MAX_RANGE_VALUE)
        high = _int_param(args, f"{name}_max", None, 0, MAX_RANGE_VALUE)
        if low is not None and high is not None and low > high:
            raise InvalidParameter(f"« {name}_min » ({low}) dépasse « {name}_max » ({high})")
        if low is not None or high is not None:
            ranges[name] = (low, high)
    return ranges


def parse_facet_limit(args: MultiMapping, name: str = "facet_limit") -> int | None:
    """How many values per facet the caller wants; None (absent) is all of them."""
    return _int_param(args, name, None, 1, 100_000)


def visible_text(text: str) -> str:
    """The text without its invisible format characters (`Sant\u200eé` → `Santé`)."""
    return _INVISIBLE.sub("", text)


def parse_filters(args: MultiMapping, settings: Settings) -> dict[str, list[str]]:
    filters: dict[str, list[str]] = {}
    for name in PUBLIC_FACETS:
        values = [clean_query(visible_text(str(v))) for v in args.getlist(name)]
        values = [v for v in values if v]
        if len(values) > settings.MAX_FILTER_VALUES:
            raise InvalidParameter(f"trop de valeurs pour le filtre « {name} » (maximum {settings.MAX_FILTER_VALUES})")
        if any(len(v) > MAX_FILTER_VALUE_CHARS for v in values):
            raise InvalidParameter(f"une valeur du filtre « {name} » dépasse {MAX_FILTER_VALUE_CHARS} caractères")
        if values:
            filters[name] = values
    if sum(map(len, filters.values())) > settings.MAX_FILTERS:
        raise InvalidParameter(f"trop de filtres (maximum {settings.MAX_FILTERS} valeurs, toutes facettes comprises)")
    return filters


def parse_query_text(raw: Any, settings: Settings, name: str = "q") -> str:
    text = "" if raw is None else str(raw)
    if len(text) > settings.MAX_QUERY_CHARS:
        raise InvalidParameter(
            f"la requête est trop longue ({len(text)} caractères, maximum {settings.MAX_QUERY_CHARS})",
            code="query_too_long")
    return text


def parse_search_request(args: MultiMapping, settings: Settings, counts_only: bool = False) -> SearchRequest:
    """A validated search; `counts_only` accepts `per_page=0` (total and facets, no hits)."""
    query = parse_query_text(args.get("q"), settings)
    sort = str(args.get("sort") or "relevance")
    if sort not in SORTS:
        raise InvalidParameter(f"tri inconnu « {sort[:40]} » : valeurs possibles {', '.join(SORTS)}")
    page = _int_param(args, "page", 1, 1, settings.MAX_PAGE)
    per_page = _int_param(args, "per_page", settings.DEFAULT_PER_PAGE, 0 if counts_only else 1, settings.MAX_PER_PAGE)
    return SearchRequest.make(query, parse_filters(args, settings), page, per_page, sort, parse_ranges(args))


def parse_limit(args: MultiMapping, settings: Settings, default: int) -> int:
    return _int_param(args, "limit", default, 1, settings.MAX_SIMILAR_LIMIT)


def parse_similar_text(raw: Any, settings: Settings) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidParameter("le champ « text » est requis : décrivez votre projet en quelques phrases",
                               code="missing_text")
    if len(raw) > settings.MAX_SIMILAR_CHARS:
        raise InvalidParameter(f"le texte est trop long ({len(raw)} caractères, maximum {settings.MAX_SIMILAR_CHARS})",
                               code="text_too_long")
    return raw
