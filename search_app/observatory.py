"""Observatory blueprint: exports, statistics (JSON and page) and the API documentation page.

HTTP in and out only: the selection comes from the engine, rows from
`export`, figures from `stats`, charts from `charts` and `france_map`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from urllib.parse import quote

from flask import Blueprint, Response, jsonify, render_template, request, url_for

from indexer.schema import PUBLIC_FACETS

from .api_doc import api_documentation
from .charts import bar_chart
from .errors import InvalidParameter
from .export import FORMATS, MEDIA_TYPES, export_chunks, export_filename, export_records
from .france_map import france_map
from .openapi import openapi_document
from .params import parse_search_request
from .snapshot import stored_record
from .state import engine, settings
from .stats import Statistics, selection_statistics, statistics_to_dict
from .views import SearchState, filter_chips

bp = Blueprint("observatory", __name__)
_ID_PLACEHOLDER = "00ID00"


def _fiche_url(fiche_id: str) -> str:
    return url_for("views.action", fiche_id=fiche_id, _external=True)


def _export_format() -> str:
    fmt = str(request.args.get("format") or "csv").strip().lower()
    if fmt not in FORMATS:
        raise InvalidParameter(f"format d'export inconnu « {fmt[:40]} » : valeurs possibles {', '.join(FORMATS)}",
                               code="invalid_parameter")
    return fmt


@bp.get("/api/export")
def export():
    fmt = _export_format()
    search_request = parse_search_request(request.args, settings())
    snapshot, docnums = engine().selection(search_request)

    url_template = _fiche_url(_ID_PLACEHOLDER)

    def fiche_url(fiche_id: str) -> str:
        return url_template.replace(_ID_PLACEHOLDER, quote(fiche_id, safe=""))

    def chunks() -> Iterator[bytes]:
        reader = snapshot.index.reader()
        try:
            records = export_records(lambda docnum: stored_record(reader.stored_fields(docnum)), docnums,
                                     fiche_url)
            yield from export_chunks(fmt, records)
        finally:
            reader.close()

    response = Response(chunks(), mimetype=MEDIA_TYPES[fmt].split(";")[0])
    response.headers["Content-Type"] = MEDIA_TYPES[fmt]
    response.headers["Content-Disposition"] = f'attachment; filename="{export_filename(search_request, fmt)}"'
    response.headers["X-Total-Count"] = str(len(docnums))
    return response


def _with_filter(state: SearchState, name: str, value: str) -> SearchState:
    """The state with one more filter value (the search behind a bar or a tile)."""
    filters = dict(state.filters)
    filters[name] = tuple(sorted({*filters.get(name, ()), value}))
    order = {facet: i for i, facet in enumerate(PUBLIC_FACETS)}
    return replace(state, filters=tuple(sorted(filters.items(), key=lambda item: order.get(item[0], 99))), page=1)


def _selection_statistics() -> tuple[SearchState, Statistics]:
    config = settings()
    search_request = parse_search_request(request.args, config)
    snapshot, docnums = engine().selection(search_request)
    return SearchState.of(search_request, config.DEFAULT_PER_PAGE), selection_statistics(snapshot, docnums)


def _departement_map(state: SearchState, stats: Statistics):
    figure = stats.figures.get("department")
    rows = figure.rows if figure else []
    return france_map(rows, lambda value: _with_filter(state, "department", value).selection_url("views.index"))


@bp.get("/api/stats")
def stats_json():
    state, stats = _selection_statistics()
    data = statistics_to_dict(stats)
    data["query"] = state.query
    data["filters"] = {name: list(values) for name, values in state.filters}
    data["departements"] = [{"code": tile.departement.code, "name": tile.departement.name, "count": tile.count}
                            for tile in _departement_map(state, stats).tiles if tile.count]
    return jsonify(data)


@bp.get("/statistiques")
def statistiques():
    state, stats = _selection_statistics()
    charts = {name: bar_chart(figure.rows, stats.total,
                              lambda value, name=name: _with_filter(state, name, value).selection_url("views.index"))
              for name, figure in stats.figures.items() if figure.rows and name != "department"}
    budget_chart = bar_chart(stats.budget.bands, stats.budget.fiches) if stats.budget else None
    return render_template("statistiques.html", state=state, stats=stats, charts=charts,
                           budget_chart=budget_chart, france=_departement_map(state, stats),
                           chips=filter_chips(state), search_url=state.selection_url("views.index"))


@bp.get("/api")
def api_doc():
    document = openapi_document(request.url_root.rstrip("/"), settings())
    return render_template("api_doc.html", doc=api_documentation(document))
