"""HTML pages blueprint (French, server-rendered, usable without JavaScript).

Every state of the search page is a GET URL: the views turn the validated
request back into URLs (a filter removed, another page, a corrected query)
so that links and the form always agree.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from urllib.parse import urlsplit

from flask import Blueprint, render_template, request, url_for

from indexer.fiche import FIELD_SPECS, Fiche, FieldSpec
from indexer.schema import FACET_LABELS, PUBLIC_FACETS
from indexer.territory import departement

from .labels import value_label
from .params import (PAGE_PARAMS, PER_PAGE_CHOICES, SORT_LABELS, closest_parameter, parse_search_request,
                     unknown_parameters)
from .results import FacetValue, Hit, SearchRequest, SearchResponse
from .state import engine, settings

bp = Blueprint("views", __name__)

VISIBLE_FACET_VALUES = 6
PAGE_WINDOW = 2
SIMILAR_LIMIT = 5
DEFAULT_SORT = "relevance"
# "Voir N actions sans filtre" costs a second search: offered for typed queries, not pasted pages.
UNFILTERED_HINT_CHARS = 200
# Fiche attribute → search facet, for the sections whose values start a filtered search.
FICHE_FACETS: dict[str, str] = {"status": "status", "dimension": "dimension", "keywords": "keyword",
                                "public": "public"}
# Facets whose values read better in their natural order than by count.
VALUE_ORDERED_FACETS: dict[str, bool] = {"year": True}
VIEWS: tuple[str, ...] = ("cartes", "table")
# The sidebar's first facets; the others are under "Plus de filtres".
MAIN_FACETS: tuple[str, ...] = ("dimension", "public", "keyword", "status", "department", "year")
EXTRA_FACETS: tuple[str, ...] = tuple(name for name in PUBLIC_FACETS if name not in MAIN_FACETS)


@dataclass(frozen=True)
class SearchState:
    """The parameters of a search page, and the URLs of its neighbouring states."""

    query: str = ""
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()
    sort: str = DEFAULT_SORT
    per_page: int | None = None
    page: int = 1
    ranges: tuple[tuple[str, int | None, int | None], ...] = ()
    view: str = "cartes"
    """"cartes" (the default) or "table"."""

    @classmethod
    def of(cls, search_request: SearchRequest, default_per_page: int, view: str = "cartes") -> SearchState:
        order = {name: i for i, name in enumerate(PUBLIC_FACETS)}
        filters = tuple(sorted(((name, values) for name, values in search_request.filters if name in order),
                               key=lambda item: order[item[0]]))
        per_page = None if search_request.per_page == default_per_page else search_request.per_page
        return cls(search_request.query, filters, search_request.sort, per_page, search_request.page,
                   search_request.ranges, view if view in VIEWS else "cartes")

    def range_value(self, name: str, end: str) -> str:
        """The bound typed for a range field ("min" or "max"), "" when none."""
        for field_name, low, high in self.ranges:
            if field_name == name:
                value = low if end == "min" else high
                return "" if value is None else str(value)
        return ""

    @property
    def has_filters(self) -> bool:
        return bool(self.filters)

    def url(self) -> str:
        params: dict[str, str | list[str]] = {}
        if self.query:
            params["q"] = self.query
        for name, values in self.filters:
            params[name] = list(values)
        if self.sort != DEFAULT_SORT:
            params["sort"] = self.sort
        for name, low, high in self.ranges:
            if low is not None:
                params[f"{name}_min"] = str(low)
            if high is not None:
                params[f"{name}_max"] = str(high)
        if self.per_page is not None:
            params["per_page"] = str(self.per_page)
        if self.page > 1:
            params["page"] = str(self.page)
        if self.view != "cartes":
            params["view"] = self.view
        return url_for("views.index", **params)

    def with_view(self, view: str) -> SearchState:
        return replace(self, view=view)

    def with_sort(self, sort: str) -> SearchState:
        return replace(self, sort=sort, page=1)

    def hidden_fields(self) -> list[tuple[str, str]]:
        """The state as form fields, without sort and page (for the sort form)."""
        fields = [("q", self.query)] if self.query else []
        fields += [(name, value) for name, values in self.filters for value in values]
        for name, low, high in self.ranges:
            fields += [(f"{name}_min", str(low))] if low is not None else []
            fields += [(f"{name}_max", str(high))] if high is not None else []
        if self.per_page is not None:
            fields.append(("per_page", str(self.per_page)))
        if self.view != "cartes":
            fields.append(("view", self.view))
        return fields

    def selection_url(self, endpoint: str, **extra: str) -> str:
        """The URL of another view of the same selection (query, filters, sort; no paging)."""
        params: dict[str, str | list[str]] = {"q": self.query} if self.query else {}
        for name, values in self.filters:
            params[name] = list(values)
        if self.sort != DEFAULT_SORT:
            params["sort"] = self.sort
        return url_for(endpoint, **params, **extra)

    def with_page(self, page: int) -> SearchState:
        return replace(self, page=page)

    def with_query(self, query: str) -> SearchState:
        return replace(self, query=query, page=1)

    def without_filter(self, name: str, value: str) -> SearchState:
        filters = tuple((n, tuple(v for v in values if not (n == name and v == value)))
                        for n, values in self.filters)
        return replace(self, filters=tuple((n, values) for n, values in filters if values), page=1)

    def without_filters(self) -> SearchState:
        return replace(self, filters=(), ranges=(), page=1)

    def without_range(self, name: str) -> SearchState:
        return replace(self, ranges=tuple(r for r in self.ranges if r[0] != name), page=1)


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool
    input_id: str


@dataclass(frozen=True)
class FacetGroup:
    name: str
    label: str
    shown: list[FacetOption]
    more: list[FacetOption]


@dataclass(frozen=True)
class Chip:
    label: str
    value: str
    url: str


@dataclass(frozen=True)
class PageLink:
    number: int | None
    url: str = ""
    current: bool = False


@dataclass(frozen=True)
class Pagination:
    links: list[PageLink]
    previous_url: str | None
    next_url: str | None
    last_page: int


@dataclass(frozen=True)
class LinkedValue:
    text: str
    url: str | None = None


@dataclass(frozen=True)
class Section:
    spec: FieldSpec
    anchor: str
    text: str
    items: list[LinkedValue]


def facet_groups(facets: dict[str, list[FacetValue]], names: tuple[str, ...] = MAIN_FACETS) -> list[FacetGroup]:
    """The sidebar: the most frequent values shown, all the others (never a selected one) folded away."""
    groups = []
    for name in names:
        values = facets.get(name, [])
        if not values:
            continue
        if VALUE_ORDERED_FACETS.get(name):
            values = sorted(values, key=lambda v: v.value, reverse=True)
        options = [FacetOption(v.value, value_label(name, v.value), v.count, v.selected, f"filtre-{name}-{i}")
                   for i, v in enumerate(values)]
        shown = options[:VISIBLE_FACET_VALUES]
        rest = options[VISIBLE_FACET_VALUES:]
        shown += [option for option in rest if option.selected]
        more = [option for option in rest if not option.selected]
        groups.append(FacetGroup(name, FACET_LABELS.get(name, name), shown, more))
    return groups


def filter_chips(state: SearchState) -> list[Chip]:
    chips = [Chip(FACET_LABELS.get(name, name), value, state.without_filter(name, value).url())
             for name, values in state.filters for value in values]
    for name, low, high in state.ranges:
        shown = (f"{low} à {high}" if low is not None and high is not None
                 else f"au moins {low}" if low is not None else f"au plus {high}")
        chips.append(Chip(FACET_LABELS.get(name, name), shown, state.without_range(name).url()))
    return chips


def ignored_parameters(names) -> list[tuple[str, str | None]]:
    """Unknown parameters of a page (ignored), each with the closest known name."""
    return [(name, closest_parameter(name, PAGE_PARAMS)) for name in unknown_parameters(names, PAGE_PARAMS)][:5]


def closeness(response: SearchResponse, best: float | None) -> dict[str, int]:
    """Similarity mode: each hit's score as a percentage of the best match's."""
    if not response.similarity or not best:
        return {}
    return {hit.id: max(1, round(100 * (hit.score or 0) / best)) for hit in response.hits}


def page_numbers(current: int, last: int, window: int = PAGE_WINDOW) -> list[int | None]:
    """1 … current±window … last, with None where pages are skipped."""
    wanted = sorted({1, last, *range(max(1, current - window), min(last, current + window) + 1)})
    out: list[int | None] = []
    for number in wanted:
        if out and number - (out[-1] or 0) > 1:
            out.append(None)
        out.append(number)
    return out


def pagination(state: SearchState, response: SearchResponse, max_page: int) -> Pagination | None:
    last = min(response.page_count, max_page)
    if last <= 1:
        return None
    current = state.page
    links = [PageLink(None) if n is None else PageLink(n, state.with_page(n).url(), n == current)
             for n in page_numbers(min(current, last), last)]
    previous_url = state.with_page(min(current, last + 1) - 1).url() if current > 1 else None
    next_url = state.with_page(current + 1).url() if current < last else None
    return Pagination(links, previous_url, next_url, last)


def fiche_sections(fiche: Fiche) -> list[Section]:
    """The fiche's non-empty sections, in corpus order; facet values link to a filtered search."""
    sections = []
    for spec in FIELD_SPECS:
        value = getattr(fiche, spec.name)
        if not value:
            continue
        facet = FICHE_FACETS.get(spec.name)
        values = value if isinstance(value, list) else [value] if spec.kind != "text" else []
        items = [LinkedValue(v, url_for("views.index", **{facet: v}) if facet else None) for v in values]
        sections.append(Section(spec, f"section-{spec.name.replace('_', '-')}",
                                value if spec.kind == "text" else "", items))
    return sections


@bp.app_template_filter("pluriel")
def plural(count: int, singular: str, plural_form: str) -> str:
    """'1 action trouvée', '14 actions trouvées' (French: 0 and 1 take the singular)."""
    return f"{format_number(count)} {singular if count <= 1 else plural_form}"


@bp.app_template_filter("nombre")
def format_number(count: int) -> str:
    return f"{count:,}".replace(",", "\u202f")


@bp.app_template_filter("phrase")
def sentence(text: str) -> str:
    """An error message as a sentence: capital first letter, final full stop."""
    text = str(text).strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?…" else f"{text}."


@bp.app_context_processor
def page_globals() -> dict:
    return {"sort_labels": SORT_LABELS}


@bp.get("/")
def index():
    config = settings()
    search_request = parse_search_request(request.args, config)
    response = engine().search(search_request)
    state = SearchState.of(search_request, config.DEFAULT_PER_PAGE, str(request.args.get("view") or ""))
    best = response.hits[0].score if response.hits and search_request.page == 1 else None
    if response.similarity and best is None and response.total:
        best = engine().search(replace(search_request, page=1, per_page=1)).hits[0].score
    unfiltered_total = None
    if response.total == 0 and state.query and state.has_filters and len(state.query) <= UNFILTERED_HINT_CHARS:
        unfiltered_total = engine().search(SearchRequest.make(state.query, per_page=1)).total
    return render_template(
        "index.html",
        response=response,
        state=state,
        facets=facet_groups(response.facets),
        extra_facets=facet_groups(response.facets, EXTRA_FACETS),
        ignored=ignored_parameters(request.args.keys()),
        closeness=closeness(response, best),
        per_page_choices=[n for n in PER_PAGE_CHOICES if n <= config.MAX_PER_PAGE],
        per_page=search_request.per_page,
        default_per_page=config.DEFAULT_PER_PAGE,
        chips=filter_chips(state),
        pagination=pagination(state, response, config.MAX_PAGE),
        suggestion_url=state.with_query(response.suggestion).url() if response.suggestion else None,
        unfiltered_total=unfiltered_total,
    )


def results_url_from_referrer(referrer: str | None, host_url: str) -> str | None:
    """The search page the visitor came from on this site (to go back to the same results), if any."""
    if not referrer:
        return None
    parts = urlsplit(referrer)
    index_path = url_for("views.index")
    if f"{parts.scheme}://{parts.netloc}/" != host_url or parts.path != index_path:
        return None
    return f"{index_path}?{parts.query}" if parts.query else index_path


@bp.get("/actions/<fiche_id>")
def action(fiche_id: str):
    fiche = engine().get_fiche(fiche_id)
    similar: list[Hit] = engine().similar_to_fiche(fiche_id, limit=SIMILAR_LIMIT)
    local: list[Hit] = []
    if fiche.department:
        local = engine().similar_to_fiche(fiche_id, limit=SIMILAR_LIMIT,
                                          filters={"department": [fiche.department_name]})
    found = departement(fiche.department_name)
    return render_template("action.html", fiche=fiche, sections=fiche_sections(fiche), similar=similar,
                           similar_local=local, department_code=found.code if found else None,
                           canonical_url=url_for("views.action", fiche_id=fiche_id, _external=True),
                           printed_on=date.today().strftime("%d/%m/%Y"),
                           results_url=results_url_from_referrer(request.referrer, request.host_url))
