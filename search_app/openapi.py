"""The OpenAPI 3.1 description of the JSON API, served at /api/openapi.json."""

from __future__ import annotations

from indexer.schema import FACET_LABELS, PUBLIC_FACETS

_FACET_PARAMS = [
    {"name": name, "in": "query", "required": False, "explode": True,
     "description": f"Filtre {FACET_LABELS[name]} (répétable : valeurs combinées par OU ; facettes différentes par ET).",
     "schema": {"type": "array", "items": {"type": "string", "maxLength": 200}}}
    for name in PUBLIC_FACETS
]

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


def openapi_document(server_url: str) -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Recherche des actions des centres sociaux", "version": "1.0.0",
                 "description": "API de recherche plein texte et à facettes des fiches action."},
        "servers": [{"url": server_url}],
        "paths": {
            "/api/search": {"get": {
                "summary": "Recherche classée avec facettes disjonctives",
                "parameters": [
                    {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 10000},
                     "description": "Mots (tous requis), \"expression exacte\", -exclu, OR, titre:mot."},
                    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}},
                    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 10}},
                    {"name": "sort", "in": "query",
                     "schema": {"type": "string", "enum": ["relevance", "year", "title"], "default": "relevance"}},
                    *_FACET_PARAMS,
                ],
                "responses": {"200": {"description": "Résultats", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/SearchResponse"}}}}, "400": _ERROR},
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
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 5}},
                    *_FACET_PARAMS,
                ],
                "responses": {"200": {"description": "Actions semblables", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/HitList"}}}}, "404": _ERROR, "400": _ERROR},
            }},
            "/api/similar": {
                "get": {
                    "summary": "Actions semblables à un court texte",
                    "parameters": [
                        {"name": "text", "in": "query", "required": True, "schema": {"type": "string"}},
                        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 10}},
                        *_FACET_PARAMS,
                    ],
                    "responses": {"200": {"description": "Actions semblables", "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/HitList"}}}}, "400": _ERROR},
                },
                "post": {
                    "summary": "Actions semblables à la description d'un projet (jusqu'à une page de texte et plus)",
                    "requestBody": {"required": True, "content": {"application/json": {"schema": {
                        "type": "object", "required": ["text"],
                        "properties": {"text": {"type": "string"}, "limit": {"type": "integer", "minimum": 1},
                                       **{name: {"oneOf": [{"type": "string"},
                                                           {"type": "array", "items": {"type": "string"}}]}
                                          for name in PUBLIC_FACETS}}}}}},
                    "responses": {"200": {"description": "Actions semblables", "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/HitList"}}}}, "400": _ERROR, "413": _ERROR},
                },
            },
            "/api/openapi.json": {"get": {
                "summary": "Cette description OpenAPI",
                "responses": {"200": {"description": "Document OpenAPI 3.1", "content": {
                    "application/json": {"schema": {"type": "object"}}}}},
            }},
            "/api/suggest": {"get": {
                "summary": "Complétions (titres puis mots de l'index), insensibles aux accents",
                "parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}}],
                "responses": {"200": {"description": "Complétions", "content": {"application/json": {"schema": {
                    "type": "object", "properties": {"query": {"type": "string"},
                                                     "suggestions": {"type": "array", "items": {"type": "string"}}}}}}}},
            }},
        },
        "components": {"schemas": {
            "Hit": _HIT,
            "HitList": {"type": "object", "properties": {"hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}}}},
            "FacetValue": {"type": "object", "properties": {
                "value": {"type": "string"}, "count": {"type": "integer"}, "selected": {"type": "boolean"}}},
            "SearchResponse": {"type": "object", "required": ["query", "total", "page", "per_page", "hits", "facets", "suggestion", "took_ms"],
                               "properties": {
                "query": {"type": "string"}, "total": {"type": "integer"}, "page": {"type": "integer"},
                "per_page": {"type": "integer"}, "sort": {"type": "string"},
                "hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
                "facets": {"type": "object", "additionalProperties": {
                    "type": "array", "items": {"$ref": "#/components/schemas/FacetValue"}}},
                "suggestion": {"type": ["string", "null"]}, "relaxed": {"type": "boolean"},
                "similarity": {"type": "boolean"}, "took_ms": {"type": "number"},
                "expansions": {"type": "array", "items": {"type": "string"},
                               "description": "Expressions équivalentes ajoutées à la recherche (synonymes, sigles)."},
                "corrections": {"type": "array", "description": "Mots corrigés (fautes de frappe) aussi cherchés.",
                                "items": {"type": "object", "properties": {
                                    "typed": {"type": "string"}, "corrected": {"type": "string"}}}},
                "filters": {"type": "object"}}},
            "Error": {"type": "object", "properties": {"error": {"type": "object", "properties": {
                "code": {"type": "string"}, "message": {"type": "string"}}}}},
        }},
    }
