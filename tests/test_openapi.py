"""The OpenAPI document against the server: every documented limit is the server's own.

Limits are read from the document (never restated here): for each one, the
server must accept the documented maximum (or minimum) and refuse one past it.
"""

from __future__ import annotations

import json

import pytest

ACCEPTED, REFUSED = 200, 400


@pytest.fixture(scope="module")
def document(app):
    with app.test_client() as client:
        return client.get("/api/openapi.json").get_json()


def text_of(length: int) -> str:
    return ("jardin " * (length // 7 + 1))[:length]


def operations(document, method: str):
    for path, ops in document["paths"].items():
        if method in ops:
            yield path, ops[method]


def concrete(path: str, fiche_id: str) -> str:
    return path.replace("{fiche_id}", fiche_id)


def required_args(operation: dict) -> dict:
    return {p["name"]: text_of(10) for p in operation.get("parameters", [])
            if p.get("required") and p["in"] == "query"}


def limit_cases(document):
    """(path, parameter, value, expected status) for every documented limit of a GET parameter."""
    for path, operation in operations(document, "get"):
        for param in operation.get("parameters", []):
            if param["in"] != "query":
                continue
            schema, name = param["schema"], param["name"]
            if "maximum" in schema:
                yield path, name, schema["maximum"], ACCEPTED
                yield path, name, schema["maximum"] + 1, REFUSED
            if "minimum" in schema:
                yield path, name, schema["minimum"], ACCEPTED
                yield path, name, schema["minimum"] - 1, REFUSED
            if "maxLength" in schema:
                yield path, name, text_of(schema["maxLength"]), ACCEPTED
                yield path, name, text_of(schema["maxLength"] + 1), REFUSED
            if schema.get("minLength"):
                yield path, name, text_of(schema["minLength"]), ACCEPTED
            if "enum" in schema:
                for value in schema["enum"]:
                    yield path, name, value, ACCEPTED
                yield path, name, "pas-une-valeur", REFUSED
            if "maxItems" in schema:
                item_length = schema["items"].get("maxLength", 10)
                yield path, name, [text_of(item_length - 1) + str(i % 10) for i in range(schema["maxItems"])], ACCEPTED
                yield path, name, [f"valeur {i}" for i in range(schema["maxItems"] + 1)], REFUSED
                yield path, name, [text_of(item_length + 1)], REFUSED


def test_the_document_states_the_limits(document):
    search = {p["name"]: p["schema"] for p in document["paths"]["/api/search"]["get"]["parameters"]}
    assert {"maximum", "minimum"} <= set(search["page"]) and {"maximum", "minimum"} <= set(search["per_page"])
    assert "maxLength" in search["q"] and "maxItems" in search["department"]
    assert "maxLength" in search["department"]["items"]
    similar = {p["name"]: p["schema"] for p in document["paths"]["/api/similar"]["get"]["parameters"]}
    assert "maximum" in similar["limit"] and "maxLength" in similar["text"]
    assert len(list(limit_cases(document))) > 60


def test_every_documented_limit_is_enforced_exactly(app, document, sample_fiches):
    client = app.test_client()
    failures = []
    for path, name, value, expected in limit_cases(document):
        operation = document["paths"][path]["get"]
        args = {**required_args(operation), name: value}
        response = client.get(concrete(path, sample_fiches[0].id), query_string=args)
        response.close()
        if response.status_code != expected:
            shown = value if not isinstance(value, (str, list)) or len(value) < 20 else f"<{len(value)}>"
            failures.append(f"{path} {name}={shown}: {response.status_code}, attendu {expected}")
    assert not failures, "\n".join(failures)


def test_documented_body_limits_are_enforced(app, document):
    client = app.test_client()
    operation = document["paths"]["/api/similar"]["post"]
    properties = operation["requestBody"]["content"]["application/json"]["schema"]["properties"]
    text_max, limit_max = properties["text"]["maxLength"], properties["limit"]["maximum"]
    cases = [({"text": text_of(text_max)}, ACCEPTED), ({"text": text_of(text_max + 1)}, REFUSED),
             ({"text": "jardin", "limit": limit_max}, ACCEPTED), ({"text": "jardin", "limit": limit_max + 1}, REFUSED)]
    for body, expected in cases:
        assert client.post("/api/similar", json=body).status_code == expected, list(body)
    biggest = operation["x-maxBodyBytes"]
    base = json.dumps({"text": "jardin", "pad": ""})
    exact = json.dumps({"text": "jardin", "pad": "x" * (biggest - len(base))})
    assert len(exact.encode()) == biggest
    assert client.post("/api/similar", data=exact, content_type="application/json").status_code == ACCEPTED
    assert client.post("/api/similar", data=exact[:-2] + 'x"}',
                       content_type="application/json").status_code == 413


def test_limits_follow_the_settings(sample_index):
    from search_app import create_app

    app = create_app({"INDEX_DIR": sample_index, "BUILD_IF_MISSING": False, "MAX_PAGE": 7, "MAX_PER_PAGE": 3})
    doc = app.test_client().get("/api/openapi.json").get_json()
    search = {p["name"]: p["schema"] for p in doc["paths"]["/api/search"]["get"]["parameters"]}
    assert (search["page"]["maximum"], search["per_page"]["maximum"]) == (7, 3)
    assert app.test_client().get("/api/search?page=7").status_code == 200
    assert app.test_client().get("/api/search?page=8").status_code == 400


def test_api_documentation_page_is_rendered_from_the_document(client, document):
    response = client.get("/api")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and '<html lang="fr">' in html
    for path, ops in document["paths"].items():
        for method in ops:
            assert f"<code>{method.upper()} {path}</code>" in html
    page_max = next(p for p in document["paths"]["/api/search"]["get"]["parameters"] if p["name"] == "page")
    assert f"1 à {page_max['schema']['maximum']}" in html
    assert "curl &#39;http://localhost/api/search?q=jardin+partag%C3%A9&#39;" in html
    assert "curl -X POST" in html


def test_every_page_footer_links_to_the_api_documentation(client, sample_fiches):
    for path in ("/", f"/actions/{sample_fiches[0].id}", "/statistiques", "/integrer", "/api", "/nulle-part"):
        html = client.get(path).get_data(as_text=True)
        footer = html[html.index('<footer'):]
        assert 'href="/api"' in footer, path
