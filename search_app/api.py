"""JSON API blueprint: translates HTTP to calls of the search engine and back."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request, url_for

from indexer.schema import PUBLIC_FACETS

from .errors import InvalidParameter, NotFound
from .facet_values import facet_listing
from .openapi import openapi_document
from .params import (FACET_VALUES_PARAMS, FICHE_SIMILAR_PARAMS, SEARCH_PARAMS, SIMILAR_PARAMS, SUGGEST_PARAMS,
                     check_parameters, parse_facet_limit, parse_filters, parse_limit, parse_search_request,
                     parse_similar_text, visible_text)
from .serialize import hit_to_dict, listing_to_dict, response_to_dict
from .state import engine, settings

bp = Blueprint("api", __name__, url_prefix="/api")


class JsonArgs:
    """A JSON object seen through the `get`/`getlist` interface of query strings."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def get(self, key: str, default: Any = None) -> Any:
        value = self.data.get(key, default)
        return value[0] if isinstance(value, list) and value else value

    def getlist(self, key: str) -> list[Any]:
        value = self.data.get(key)
        if value is None:
            return []
        if isinstance(value, list):
            return [v for v in value if isinstance(v, (str, int))]
        return [value] if isinstance(value, (str, int)) else []


def _json_body() -> Any:
    """The parsed JSON body, None if it is not JSON; a body nested too deep to parse is a 400."""
    try:
        return request.get_json(silent=True)
    except RecursionError:
        raise InvalidParameter("corps JSON trop imbriqué : attendu un objet comme {\"text\": \"…\"}",
                               code="invalid_json") from None


def _fiche_url(fiche_id: str) -> str:
    return url_for("views.action", fiche_id=fiche_id, _external=True)


@bp.get("/search")
def search():
    check_parameters(request.args.keys(), SEARCH_PARAMS)
    search_request = parse_search_request(request.args, settings(), counts_only=True)
    facet_limit = parse_facet_limit(request.args)
    response = engine().search(search_request)
    return jsonify(response_to_dict(response, _fiche_url, facet_limit))


@bp.get("/facets/<name>")
def facet_values(name: str):
    if name not in PUBLIC_FACETS:
        raise NotFound(f"facette inconnue « {name[:40]} » : facettes possibles {', '.join(PUBLIC_FACETS)}",
                       code="unknown_facet")
    check_parameters(request.args.keys(), FACET_VALUES_PARAMS)
    search_request = parse_search_request(request.args, settings())
    prefix = str(request.args.get("prefix") or "")[:200]
    listing = facet_listing(engine(), search_request, name, prefix, parse_facet_limit(request.args, "limit"))
    return jsonify(listing_to_dict(listing))


@bp.get("/actions/<fiche_id>", merge_slashes=False)
def action(fiche_id: str):
    check_parameters(request.args.keys(), ())
    data = engine().get_fiche(fiche_id).to_dict()
    data["url"] = _fiche_url(fiche_id)
    return jsonify(data)


@bp.get("/actions/<fiche_id>/similar", merge_slashes=False)
def action_similar(fiche_id: str):
    check_parameters(request.args.keys(), FICHE_SIMILAR_PARAMS)
    limit = parse_limit(request.args, settings(), default=5)
    hits = engine().similar_to_fiche(fiche_id, limit, parse_filters(request.args, settings()))
    return jsonify({"id": fiche_id, "hits": [hit_to_dict(hit, _fiche_url) for hit in hits]})


@bp.route("/similar", methods=["GET", "POST"])
def similar():
    if request.method == "POST":
        data = _json_body()
        if not isinstance(data, dict):
            raise InvalidParameter("corps attendu : un objet JSON comme {\"text\": \"…\", \"limit\": 10}",
                                   code="invalid_json")
        args: Any = JsonArgs(data)
        raw_text = data.get("text")
    else:
        args = request.args
        check_parameters(args.keys(), SIMILAR_PARAMS)
        raw_text = args.get("text")
    text = parse_similar_text(raw_text, settings())
    limit = parse_limit(args, settings(), default=10)
    hits = engine().similar_to_text(text, limit, parse_filters(args, settings()))
    return jsonify({"hits": [hit_to_dict(hit, _fiche_url) for hit in hits]})


@bp.get("/suggest")
def suggest():
    check_parameters(request.args.keys(), SUGGEST_PARAMS)
    query = visible_text(str(request.args.get("q") or ""))[:200]
    return jsonify({"query": query, "suggestions": engine().suggest(query, settings().SUGGEST_LIMIT)})


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document(request.url_root.rstrip("/"), settings()))
