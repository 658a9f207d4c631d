"""The OpenAPI document → what the French API documentation page (`/api`) shows: endpoints, parameters, curl."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from urllib.parse import urlencode


@dataclass(frozen=True)
class ParameterDoc:
    name: str
    where: str
    kind: str
    required: bool
    default: str
    limits: str
    description: str


@dataclass(frozen=True)
class EndpointDoc:
    anchor: str
    method: str
    path: str
    summary: str
    description: str
    parameters: list[ParameterDoc]
    body: str
    statuses: list[str]
    curl: str


_WHERE = {"query": "requête", "path": "chemin", "header": "en-tête"}


def _kind(schema: dict) -> str:
    kind = schema.get("type", "")
    if kind == "array":
        return f"liste de {_kind(schema.get('items', {}))} (paramètre répétable)"
    names = {"string": "texte", "integer": "entier", "number": "nombre", "boolean": "booléen", "object": "objet"}
    if "enum" in schema:
        return "une valeur parmi " + ", ".join(str(v) for v in schema["enum"])
    return names.get(kind, str(kind))


def limits_text(schema: dict) -> str:
    """The schema's limits in French: `1 à 100`, `au plus 10000 caractères`, `au plus 50 valeurs de 200 caractères`."""
    parts = []
    if "minimum" in schema and "maximum" in schema:
        parts.append(f"{schema['minimum']} à {schema['maximum']}")
    elif "minimum" in schema:
        parts.append(f"au moins {schema['minimum']}")
    elif "maximum" in schema:
        parts.append(f"au plus {schema['maximum']}")
    if "maxLength" in schema:
        parts.append(f"au plus {schema['maxLength']} caractères")
    if "maxItems" in schema:
        item = schema.get("items", {})
        each = f" de {item['maxLength']} caractères" if "maxLength" in item else ""
        parts.append(f"au plus {schema['maxItems']} valeurs{each}")
    return ", ".join(parts)


def _parameter(param: dict) -> ParameterDoc:
    schema = param.get("schema", {})
    default = schema.get("default")
    return ParameterDoc(param["name"], _WHERE.get(param["in"], param["in"]), _kind(schema),
                        bool(param.get("required")), "" if default is None else str(default),
                        limits_text(schema), param.get("description", ""))


def _curl(server: str, method: str, path: str, operation: dict) -> str:
    params = operation.get("parameters", [])
    url_path = path
    query = []
    for param in params:
        if param["in"] == "path":
            url_path = url_path.replace("{" + param["name"] + "}", "ID")
        elif "example" in param:
            query.append((param["name"], param["example"]))
    url = server + url_path + (f"?{urlencode(query)}" if query else "")
    if method == "post":
        body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
        example = json.dumps(body.get("example", {}), ensure_ascii=False)
        return f"curl -X POST -H 'Content-Type: application/json' -d {shlex.quote(example)} {shlex.quote(url)}"
    return f"curl {shlex.quote(url)}"


def _body(operation: dict) -> str:
    schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    if not schema:
        return ""
    fields = [f"{name} ({_kind(prop) if 'type' in prop else 'texte ou liste'}"
              f"{', ' + limits_text(prop) if limits_text(prop) else ''})"
              for name, prop in schema.get("properties", {}).items()]
    return "Objet JSON : " + " ; ".join(fields)


def api_documentation(document: dict) -> dict:
    """The page's content: the API's title, server and one entry per operation, in the document's order."""
    server = document["servers"][0]["url"] if document.get("servers") else ""
    endpoints = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            endpoints.append(EndpointDoc(
                anchor=f"{method}-{path.strip('/').replace('/', '-').replace('{', '').replace('}', '')}",
                method=method.upper(), path=path, summary=operation.get("summary", ""),
                description=operation.get("description", ""),
                parameters=[_parameter(p) for p in operation.get("parameters", [])],
                body=_body(operation), statuses=sorted(operation.get("responses", {})),
                curl=_curl(server, method, path, operation)))
    return {"title": document["info"]["title"], "description": document["info"].get("description", ""),
            "version": document["info"].get("version", ""), "server": server, "endpoints": endpoints}
