"""The OpenAPI description of the observatory endpoints (export, statistics), merged into `openapi`."""

from __future__ import annotations

from .config import Settings
from .export import FORMATS


def observatory_paths(settings: Settings, facet_params: list[dict], query_param: dict, sort_param: dict,
                      error: dict) -> dict:
    return {
        "/api/export": {"get": {
            "summary": "Export de toutes les actions d'une sélection (CSV ou JSON Lines), sans limite",
            "description": ("Toutes les actions qui correspondent à la requête et aux filtres, avec tous leurs "
                            "champs et l'adresse de leur fiche, envoyées au fil de l'eau. CSV pour tableur "
                            "français : UTF-8 avec BOM, séparateur « ; », une ligne par fiche, listes jointes "
                            "par « | », cellules commençant par = + - @ tabulation ou retour chariot préfixées "
                            "d'une apostrophe. Le nom du fichier dit ce qui a été exporté "
                            "(actions-somme-2019.csv). L'en-tête X-Total-Count donne le nombre de fiches."),
            "parameters": [
                {"name": "format", "in": "query", "example": "csv",
                 "description": "csv (tableur) ou jsonl (un objet JSON par ligne).",
                 "schema": {"type": "string", "enum": list(FORMATS), "default": "csv"}},
                query_param, sort_param, *facet_params,
            ],
            "responses": {"200": {"description": "Le fichier", "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/x-ndjson": {"schema": {"type": "string"}}}}, "400": error},
        }},
        "/api/stats": {"get": {
            "summary": "Chiffres d'une sélection : actions par valeur de chaque facette, par département, budgets",
            "description": ("Les mêmes chiffres que la page /statistiques : comptes sur la sélection elle-même "
                            "(tous les filtres appliqués)."),
            "parameters": [query_param, *facet_params],
            "responses": {"200": {"description": "Chiffres", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Statistics"}}}}, "400": error},
        }},
    }


STATISTICS_SCHEMA = {
    "type": "object", "required": ["total", "figures", "departements"],
    "properties": {
        "total": {"type": "integer"},
        "query": {"type": "string"},
        "filters": {"type": "object"},
        "figures": {"type": "object", "additionalProperties": {"type": "object", "properties": {
            "label": {"type": "string"},
            "values": {"type": "array", "items": {"type": "object", "properties": {
                "value": {"type": "string"}, "count": {"type": "integer"}}}},
            "hidden_values": {"type": "integer"}}}},
        "departements": {"type": "array", "items": {"type": "object", "properties": {
            "code": {"type": "string"}, "name": {"type": "string"}, "count": {"type": "integer"}}}},
        "budget": {"type": ["object", "null"]},
    },
}

INDEX_SCHEMA = {
    "type": "object", "description": "Version des données : génération de l'index et date de sa construction.",
    "properties": {"generation": {"type": "string"}, "built_at": {"type": "string", "format": "date-time"}},
}
