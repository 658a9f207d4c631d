"""The OpenAPI 3.1 description of the JSON API, served at /api/openapi.json."""

from __future__ import annotations

from indexer.schema import FACET_LABELS, PUBLIC_FACETS, RANGE_FIELDS

from .config import Settings
from .openapi_observatory import INDEX_SCHEMA, STATISTICS_SCHEMA, observatory_paths
from .params import MAX_FILTER_VALUE_CHARS
from .results import SORTS

_RANGE_PARAMS = [
    {"name": f"{name}_{end}", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 0},
     "description": f"{FACET_LABELS[name]} {'minimum' if end == 'min' else 'maximum'} (bornes incluses)."}
    for name in RANGE_FIELDS for end in ("min", "max")
]

def _facet_params(settings: Settings) -> list[dict]:
    return [
        {"name": name, "in": "query", "required": False, "explode": True,
         "description": (f"Filtre {FACET_LABELS.get(name, name)} (répétable : valeurs combinées par OU ; "
                         f"facettes différentes par ET). Au plus {settings.MAX_FILTER_VALUES} valeurs "
                         f"de {MAX_FILTER_VALUE_CHARS} caractères."),
         "schema": _filter_schema(name, settings)}
        for name in PUBLIC_FACETS
    ]


def _filter_schema(name: str, settings: Settings) -> dict:
    """A year is four digits (its count limit is in the description); other facets take any text."""
    if name == "year":
        return {"type": "array", "items": {"type": "string", "pattern": "^[0-9]{4}$"}}
    return {"type": "array", "maxItems": settings.MAX_FILTER_VALUES,
            "items": {"type": "string", "maxLength": MAX_FILTER_VALUE_CHARS}}


def _query_param(settings: Settings) -> dict:
    return {"name": "q", "in": "query", "example": "jardin partagé",
            "schema": {"type": "string", "maxLength": settings.MAX_QUERY_CHARS},
            "description": (f"Mots (tous requis), \"expression exacte\", -exclu, OR, titre:mot ; vide : tout. "
                            f"Au plus {settings.MAX_QUERY_CHARS} caractères.")}


def _sort_param() -> dict:
    return {"name": "sort", "in": "query", "description": "Ordre : pertinence, année (récentes d'abord) ou titre.",
            "schema": {"type": "string", "enum": list(SORTS), "default": "relevance"}}


def _limit_param(settings: Settings, default: int) -> dict:
    return {"name": "limit", "in": "query", "description": f"Nombre d'actions (1 à {settings.MAX_SIMILAR_LIMIT}).",
            "schema": {"type": "integer", "minimum": 1, "maximum": settings.MAX_SIMILAR_LIMIT, "default": default}}


SUGGEST_QUERY_CHARS = 200
_ERROR = {"description": "Erreur", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}

_HIT = {
    "type": "object",
    "required": ["id", "url", "title", "structure", "department", "year", "status", "dimension",
                 "public", "keywords", "snippet", "score"],
    "properties": {
        "id": {"type": "string"}, "url": {"type": "string", "format": "uri"},
        "title": {"type": "string"}, "structure": {"type": "string"},
        "department": {"type": "string"}, "year": {"type": "string"},
        "status": {"type": "string"}, "dimension": {"type": "string"},
        "public": {"type": "array", "items": {"type": "string"}},
        "keywords": {"type": "array", "items": {"type": "string"}},
        "snippet": {"type": "string", "description": "HTML : texte échappé, mots trouvés dans <mark>."},
        "score": {"type": ["number", "null"]},
    },
}


def openapi_document(server_url: str, settings: Settings | None = None) -> dict:
    """The document, its limits taken from `settings` (the server's own), so both always agree."""
    settings = settings or Settings.load()
    facet_params = _facet_params(settings)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Recherche des actions des centres sociaux", "version": "1.0.0",
                 "description": "API de recherche plein texte et à facettes des fiches action."},
        "servers": [{"url": server_url}],
        "paths": {
            "/api/search": {"get": {
                "summary": "Recherche classée avec facettes disjonctives",
                "description": ("per_page=0 : seulement le total et les facettes, sans résultats. "
                                f"Pages de 1 à {settings.MAX_PAGE}, au plus {settings.MAX_PER_PAGE} résultats par page."),
                "parameters": [
                    _query_param(settings),
                    {"name": "page", "in": "query", "description": f"Page (1 à {settings.MAX_PAGE}).",
                     "schema": {"type": "integer", "minimum": 1, "maximum": settings.MAX_PAGE, "default": 1}},
                    {"name": "per_page", "in": "query",
                     "description": f"Résultats par page (0 à {settings.MAX_PER_PAGE} ; 0 : comptes seulement).",
                     "schema": {"type": "integer", "minimum": 0, "maximum": settings.MAX_PER_PAGE,
                                "default": settings.DEFAULT_PER_PAGE}},
                    _sort_param(),
                    {"name": "facet_limit", "in": "query", "schema": {"type": "integer", "minimum": 1},
                     "description": "Valeurs par facette (par défaut : toutes)."},
                    *facet_params, *_RANGE_PARAMS,
                ],
                "responses": {"200": {"description": "Résultats", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/SearchResponse"}}}}, "400": _ERROR},
            }},
            "/api/facets/{name}": {"get": {
                "summary": "Toutes les valeurs d'une facette, comptées sous la requête et les filtres, par préfixe",
                "parameters": [
                    {"name": "name", "in": "path", "required": True, "schema": {"type": "string", "enum": list(PUBLIC_FACETS)}},
                    {"name": "q", "in": "query", "schema": {"type": "string"},
                     "description": f"Comme pour /api/search (au plus {settings.MAX_QUERY_CHARS} caractères)."},
                    {"name": "prefix", "in": "query", "schema": {"type": "string"},
                     "description": "Début d'un mot de la valeur (casse et accents ignorés ; 200 caractères lus)."},
                    {"name": "limit", "in": "query", "schema": {"type": "integer"},
                     "description": "Nombre de valeurs, au moins 1 (par défaut : toutes)."},
                ],
                "description": "Accepte aussi les filtres et les bornes de /api/search (mêmes limites).",
                "responses": {"200": {"description": "Valeurs", "content": {"application/json": {"schema": {
                    "type": "object", "properties": {
                        "facet": {"type": "string"}, "label": {"type": "string"}, "total": {"type": "integer"},
                        "matching_values": {"type": "integer"},
                        "values": {"type": "array", "items": {"$ref": "#/components/schemas/FacetValue"}}}}}}},
                    "400": _ERROR, "404": _ERROR},
            }},
            "/api/actions/{fiche_id}": {"get": {
                "summary": "Fiche complète",
                "parameters": [{"name": "fiche_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "La fiche", "content": {"application/json": {
                    "schema": {"type": "object"}}}}, "404": _ERROR},
            }},
            "/api/actions/{fiche_id}/similar": {"get": {
                "summary": "Actions semblables à une fiche (elle-même exclue)",
                "parameters": [
                    {"name": "fiche_id", "in": "path", "required": True, "schema": {"type": "string"}},
                    _limit_param(settings, 5),
                    *facet_params,
                ],
                "responses": {"200": {"description": "Actions semblables", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/HitList"}}}}, "404": _ERROR, "400": _ERROR},
            }},
            "/api/similar": {
                "get": {
                    "summary": "Actions semblables à un court texte",
                    "parameters": [
                        {"name": "text", "in": "query", "required": True, "example": "atelier cuisine avec les parents",
                         "description": f"Texte libre (1 à {settings.MAX_SIMILAR_CHARS} caractères).",
                         "schema": {"type": "string", "minLength": 1, "maxLength": settings.MAX_SIMILAR_CHARS}},
                        _limit_param(settings, 10),
                        *facet_params,
                    ],
                    "responses": {"200": {"description": "Actions semblables", "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/HitList"}}}}, "400": _ERROR},
                },
                "post": {
                    "summary": "Actions semblables à la description d'un projet (jusqu'à une page de texte et plus)",
                    "description": f"Corps JSON d'au plus {settings.MAX_BODY_BYTES} octets (au-delà : 413).",
                    "x-maxBodyBytes": settings.MAX_BODY_BYTES,
                    "requestBody": {"required": True, "content": {"application/json": {"schema": {
                        "type": "object", "required": ["text"],
                        "example": {"text": "Nous voulons ouvrir un jardin partagé avec les habitants du quartier.",
                                    "limit": 5},
                        "properties": {"text": {"type": "string", "minLength": 1,
                                                "maxLength": settings.MAX_SIMILAR_CHARS},
                                       "limit": {"type": "integer", "minimum": 1,
                                                 "maximum": settings.MAX_SIMILAR_LIMIT},
                                       **{name: {"oneOf": [{"type": "string"},
                                                           {"type": "array", "items": {"type": "string"}}]}
                                          for name in PUBLIC_FACETS}}}}}},
                    "responses": {"200": {"description": "Actions semblables", "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/HitList"}}}}, "400": _ERROR, "413": _ERROR},
                },
            },
            **observatory_paths(settings, facet_params, _query_param(settings), _sort_param(), _ERROR),
            "/api/openapi.json": {"get": {
                "summary": "Cette description OpenAPI",
                "responses": {"200": {"description": "Document OpenAPI 3.1", "content": {
                    "application/json": {"schema": {"type": "object"}}}}},
            }},
            "/api/suggest": {"get": {
                "summary": "Complétions (titres puis mots de l'index), insensibles aux accents",
                "parameters": [{"name": "q", "in": "query", "example": "jar",
                                "description": f"Début de mot ou de titre (tronqué à {SUGGEST_QUERY_CHARS} caractères).",
                                "schema": {"type": "string"}}],
                "responses": {"200": {"description": "Complétions", "content": {"application/json": {"schema": {
                    "type": "object", "properties": {"query": {"type": "string"},
                                                     "suggestions": {"type": "array", "items": {"type": "string"}}}}}}}},
            }},
        },
        "components": {"schemas": {
            "Hit": _HIT,
            "Statistics": STATISTICS_SCHEMA,
            "Index": INDEX_SCHEMA,
            "HitList": {"type": "object", "properties": {"hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}}}},
            "FacetValue": {"type": "object", "properties": {
                "value": {"type": "string"}, "label": {"type": "string", "description": "Libellé affiché"},
                "count": {"type": "integer"}, "selected": {"type": "boolean"}}},
            "SearchResponse": {"type": "object", "required": ["query", "total", "page", "per_page", "hits", "facets", "suggestion", "took_ms"],
                               "properties": {
                "query": {"type": "string"}, "total": {"type": "integer"}, "page": {"type": "integer"},
                "per_page": {"type": "integer"}, "sort": {"type": "string"},
                "hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
                "facets": {"type": "object", "additionalProperties": {
                    "type": "array", "items": {"$ref": "#/components/schemas/FacetValue"}}},
                "suggestion": {"type": ["string", "null"]}, "relaxed": {"type": "boolean"},
                "similarity": {"type": "boolean"}, "took_ms": {"type": "number"},
                "semantic": {"type": "boolean", "description": "semantic layer (meaning of the text) available"},
                "expansions": {"type": "array", "items": {"type": "string"},
                               "description": "Expressions équivalentes ajoutées à la recherche (synonymes, sigles)."},
                "corrections": {"type": "array", "description": "Mots corrigés (fautes de frappe) aussi cherchés.",
                                "items": {"type": "object", "properties": {
                                    "typed": {"type": "string"}, "corrected": {"type": "string"}}}},
                "filters": {"type": "object"}, "index": {"$ref": "#/components/schemas/Index"}}},
            "Error": {"type": "object", "properties": {"error": {"type": "object", "properties": {
                "code": {"type": "string"}, "message": {"type": "string"}}}}},
        }},
    }
