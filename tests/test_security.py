"""Security headers on every page, JSON errors under /api/, and no markup injection through the JSON API."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.build import build_index

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
JS_URL = "javascript:alert(1)"
SVG = '"><svg onload=alert(1)>'
MARK_BREAKOUT = "</mark><script>alert(2)</script><mark>"
PRE_ESCAPED = "&lt;b&gt;gras&lt;/b&gt;"
PAYLOADS = [SCRIPT, IMG, JS_URL, SVG, MARK_BREAKOUT, PRE_ESCAPED]
HOSTILE_TITLE = f"Atelier {SCRIPT} jardinage"


# -- headers ------------------------------------------------------------------------------------


def csp_directives(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request.path}"
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name.lower()] = values
    return directives


def html_pages(sample_fiches) -> list[str]:
    fiche_id = sample_fiches[0].id
    return ["/", "/?q=jardin", f"/?q={SCRIPT}", "/?q=parents&keyword=Sant%C3%A9&page=2&per_page=5",
            f"/actions/{fiche_id}", "/actions/nexiste-pas", "/page-inconnue", "/?page=-1", "/?per_page=x",
            "/integrer", "/embed", "/embed?q=jardin", f"/embed?q={SCRIPT}&keyword=Sant%C3%A9"]


def test_every_html_page_sends_the_security_headers(client, sample_fiches):
    for path in html_pages(sample_fiches):
        response = client.get(path)
        assert response.mimetype == "text/html", path
        assert response.status_code < 500, path
        csp = csp_directives(response)
        scripts = csp.get("script-src", csp.get("default-src"))
        assert scripts is not None, path
        assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, path
        assert "*" not in scripts and "data:" not in scripts, path
        assert csp.get("object-src") == ["'none'"], path
        assert "'unsafe-inline'" not in csp.get("style-src", csp["default-src"]), path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert response.headers["Referrer-Policy"] in (
            "strict-origin-when-cross-origin", "strict-origin", "same-origin", "no-referrer"), path


def test_only_embed_may_be_framed_by_other_sites(client, sample_fiches):
    for path in html_pages(sample_fiches) + ["/api/search?q=jardin", "/healthz"]:
        response = client.get(path)
        frame_ancestors = csp_directives(response)["frame-ancestors"]
        if path.split("?")[0] == "/embed":
            assert frame_ancestors != ["'self'"] and frame_ancestors != ["'none'"], path
            assert "X-Frame-Options" not in response.headers, path
        else:
            assert frame_ancestors == ["'self'"], path
            assert response.headers["X-Frame-Options"] == "SAMEORIGIN", path


class _PageAudit(HTMLParser):
    """Collects what a strict CSP would block: inline scripts, handlers, inline styles, javascript: URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not attributes.get("src"):
            self._in_inline_script = True
        if tag == "style":
            self.problems.append("<style> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"handler {name} on <{tag}>")
            if name == "style":
                self.problems.append(f"style attribute on <{tag}>")
            if name in ("href", "src", "action", "formaction") and value and \
                    value.strip().lower().startswith("javascript:"):
                self.problems.append(f"javascript: URL in <{tag} {name}>")

    def handle_data(self, data):
        if self._in_inline_script and data.strip():
            self.problems.append("inline <script>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_inline_script = False


def test_pages_need_nothing_the_policy_forbids(client, sample_fiches):
    """Inline code would be blocked by the CSP (and break the page): none is used."""
    for path in html_pages(sample_fiches):
        audit = _PageAudit()
        audit.feed(client.get(path).get_data(as_text=True))
        assert audit.problems == [], path


def test_json_answers_are_not_sniffable(client):
    for path in ["/api/search?q=jardin", "/api/suggest?q=jar", "/healthz", "/api/nope"]:
        response = client.get(path)
        assert response.mimetype == "application/json", path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path


@pytest.mark.parametrize(("method", "path", "status", "code"), [
    ("GET", "/api/nexiste-pas", 404, "not_found"),
    ("GET", "/api/actions/", 404, "not_found"),
    ("GET", "/api/actions/a/b/c", 404, "not_found"),
    ("POST", "/api/nexiste-pas", 404, "not_found"),
    ("POST", "/api/search", 405, "method_not_allowed"),
    ("DELETE", "/api/search", 405, "method_not_allowed"),
    ("PUT", "/api/similar", 405, "method_not_allowed"),
    ("PATCH", "/api/suggest", 405, "method_not_allowed"),
    ("POST", "/api/actions/x", 405, "method_not_allowed"),
])
def test_api_errors_are_json_in_french(client, method, path, status, code):
    response = client.open(path, method=method)
    assert response.status_code == status
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["code"] == code
    assert error["message"] in ("page introuvable", "méthode HTTP non autorisée ici") or \
        error["message"].startswith("point d'accès inconnu")


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("POST", "/api/search", {"GET", "HEAD", "OPTIONS"}), ("PUT", "/api/similar", {"GET", "POST", "HEAD", "OPTIONS"}),
    ("DELETE", "/", {"GET", "HEAD", "OPTIONS"}), ("POST", "/integrer", {"GET", "HEAD", "OPTIONS"})])
def test_405_names_the_allowed_methods(client, method, path, allowed):
    response = client.open(path, method=method)
    assert response.status_code == 405
    assert {m.strip() for m in response.headers["Allow"].split(",")} == allowed
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("depth", [1000, 50_000])
def test_deeply_nested_json_body_is_a_400(client, depth):
    response = client.post("/api/similar", data="[" * depth + "]" * depth, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_json"
    nested = client.post("/api/similar", data='{"text": ' * depth + '"x"' + "}" * depth,
                         content_type="application/json")
    assert nested.status_code == 400


def test_error_page_that_cannot_render_is_still_french_with_headers(app, monkeypatch):
    import search_app

    def broken(*args, **kwargs):
        raise RuntimeError("template cassé")

    monkeypatch.setattr(search_app, "render_template", broken)
    response = app.test_client().get("/page-inconnue")
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "page introuvable" in response.get_data(as_text=True)
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_unknown_page_outside_the_api_is_html(client):
    response = client.get("/page-inconnue")
    assert response.status_code == 404
    assert response.mimetype == "text/html"


# -- no injection through the JSON API (corpus text, facet values, queries) -----------------------


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, sample_fiches, sample_corpus):
    """An app over the sample corpus plus fiches whose every text field carries markup."""
    from search_app import create_app

    base = sample_fiches[0]
    body = " ".join(PAYLOADS) + " potager jardinage collectif"
    fiches = list(sample_fiches) + [
        replace(base, id="hostile-00000001", title=HOSTILE_TITLE, structure=SVG, department="<b>Isère</b>",
                summary=f"Résumé {SCRIPT} {IMG} {JS_URL} jardinage potager {MARK_BREAKOUT} {PRE_ESCAPED}",
                keywords=[IMG, JS_URL, "Jardin"], public=[SCRIPT], dimension=SVG, status=IMG,
                experience=body, general_description=body, limits=body),
        replace(base, id="hostile-00000002", title=f"{IMG} potager", summary=f"{JS_URL} potager {SVG}",
                keywords=[SCRIPT], experience=body),
    ]
    root = tmp_path_factory.mktemp("hostile-index")
    build_index(fiches, root)
    app = create_app({"INDEX_DIR": root, "CORPUS_DIR": sample_corpus, "BUILD_IF_MISSING": False})
    app.config["TESTING"] = True
    return app


class _SnippetTags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_data(self, data):
        self.text.append(data)

    def handle_comment(self, data):
        self.tags.append(("!--", []))

    def handle_decl(self, decl):
        self.tags.append(("!", []))

    def unknown_decl(self, data):
        self.tags.append(("!", []))


def assert_safe_snippet(snippet: str) -> str:
    """Only bare <mark> tags; returns the text a browser would show."""
    parser = _SnippetTags()
    parser.feed(snippet)
    parser.close()
    assert all(tag == "mark" and attrs == [] for tag, attrs in parser.tags), snippet
    assert snippet.count("<mark>") == snippet.count("</mark>"), snippet
    bare = re.sub(r"</?mark>", "", snippet)
    assert "<" not in bare and ">" not in bare, snippet
    assert not re.search(r"&(?!(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);)", bare), snippet
    return html.unescape(bare)


def all_snippets(data: dict) -> list[str]:
    return [hit["snippet"] for hit in data["hits"]]


def test_corpus_markup_is_text_in_snippets(hostile):
    client = hostile.test_client()
    data = client.get("/api/search", query_string={"q": "jardinage potager"}).get_json()
    hostile_hits = [hit for hit in data["hits"] if hit["id"].startswith("hostile-")]
    assert hostile_hits
    shown = " ".join(assert_safe_snippet(snippet) for snippet in all_snippets(data))
    assert any(payload in shown for payload in (SCRIPT, IMG, JS_URL))
    first = next(hit for hit in hostile_hits if hit["id"] == "hostile-00000001")
    assert first["title"] == HOSTILE_TITLE
    assert "<mark>" in first["snippet"]


@pytest.mark.parametrize("query", ["script alert", "img onerror", "javascript", "svg onload", "mark",
                                   SCRIPT, IMG, JS_URL, SVG, MARK_BREAKOUT, "lt b gt", "gras", "&lt;b&gt;"])
def test_snippets_stay_safe_whatever_matches(hostile, query):
    client = hostile.test_client()
    response = client.get("/api/search", query_string={"q": query})
    assert response.status_code == 200
    data = response.get_json()
    for snippet in all_snippets(data):
        assert_safe_snippet(snippet)
    assert data["query"] == query


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(words=st.lists(st.sampled_from(
    ["script", "alert", "img", "src", "onerror", "javascript", "svg", "onload", "mark", "lt", "gt", "gras",
     "jardinage", "potager", "résumé", "<", ">", "&", "\"", "'", "/", "=", "(1)", "x", "amp", "b"] + PAYLOADS),
    min_size=1, max_size=6))
def test_snippets_are_only_escaped_text_and_marks(hostile, words):
    client = hostile.test_client()
    query = " ".join(words)
    for response in (client.get("/api/search", query_string={"q": query}),
                     client.post("/api/similar", json={"text": query}),
                     client.get("/api/actions/hostile-00000001/similar")):
        assert response.status_code == 200
        for snippet in all_snippets(response.get_json()):
            assert_safe_snippet(snippet)


def test_similar_snippets_are_safe(hostile):
    client = hostile.test_client()
    for data in (client.post("/api/similar", json={"text": " ".join(PAYLOADS) + " jardinage"}).get_json(),
                 client.get("/api/actions/hostile-00000002/similar").get_json(),
                 client.get("/api/similar", query_string={"text": f"{SCRIPT} potager"}).get_json()):
        assert data["hits"]
        for snippet in all_snippets(data):
            assert_safe_snippet(snippet)


def test_suggestions_are_plain_text(hostile):
    response = hostile.test_client().get("/api/suggest", query_string={"q": "Atelier"})
    assert response.mimetype == "application/json"
    suggestions = response.get_json()["suggestions"]
    assert HOSTILE_TITLE in suggestions
    assert not any("&lt;" in s or "<mark>" in s for s in suggestions)
    echoed = hostile.test_client().get("/api/suggest", query_string={"q": SCRIPT}).get_json()
    assert echoed["query"] == SCRIPT
    assert all(isinstance(s, str) for s in echoed["suggestions"])


def test_fiche_and_facet_values_are_returned_verbatim_as_json_strings(hostile):
    client = hostile.test_client()
    fiche = client.get("/api/actions/hostile-00000001").get_json()
    assert (fiche["title"], fiche["structure"], fiche["keywords"]) == (HOSTILE_TITLE, SVG, [IMG, JS_URL, "Jardin"])
    facets = client.get("/api/search", query_string={"q": "potager"}).get_json()["facets"]
    assert IMG in [value["value"] for value in facets["keyword"]]
    assert SCRIPT in [value["value"] for value in facets["public"]]
    filtered = client.get("/api/search", query_string={"keyword": IMG}).get_json()
    assert filtered["total"] == 1 and filtered["hits"][0]["id"] == "hostile-00000001"
