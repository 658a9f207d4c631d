"""Search from other sites: /embed.js, /embed, CORS, /api/suggest, OpenSearch and /integrer."""

from __future__ import annotations

import dataclasses
import re
from html import unescape
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import pytest

from conftest import by_title
from indexer.build import build_index
from search_app import create_app

JARDIN = "Jardin partagé: un outil de lien social et de participation citoyenne"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
MAX_SCRIPT_BYTES = 15 * 1024


class Elements(HTMLParser):
    """Start tags of a page as (tag, attributes) pairs."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs) -> None:
        self.found.append((tag, dict(attrs)))

    def all(self, tag: str, **wanted: str) -> list[dict[str, str | None]]:
        return [attrs for t, attrs in self.found
                if t == tag and all(attrs.get(k.replace("_", "-")) == v for k, v in wanted.items())]


def frame_ancestors(response) -> str:
    policy = response.headers["Content-Security-Policy"]
    return re.search(r"frame-ancestors ([^;]+)", policy).group(1).strip()


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory, sample_fiches, sample_corpus):
    jardin = by_title(sample_fiches, JARDIN)
    hostile = dataclasses.replace(jardin, title="Jardin <script>alert(1)</script> voisins",
                                  structure='<img src=x onerror="alert(2)">',
                                  summary='Voisins <script>alert(3)</script> et <b onmouseover="alert(4)">gras</b>')
    root = tmp_path_factory.mktemp("hostile-index")
    build_index([hostile if f is jardin else f for f in sample_fiches], root)
    app = create_app({"INDEX_DIR": root, "CORPUS_DIR": sample_corpus, "BUILD_IF_MISSING": False})
    return app.test_client()


def cors_client(sample_index, sample_corpus, origins):
    app = create_app({"INDEX_DIR": sample_index, "CORPUS_DIR": sample_corpus,
                      "BUILD_IF_MISSING": False, "CORS_ORIGINS": origins})
    return app.test_client()


class TestScript:
    def test_served_as_javascript_with_cache_headers(self, client):
        response = client.get("/embed.js")
        assert response.status_code == 200
        assert response.mimetype == "application/javascript"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.cache_control.public and response.cache_control.max_age >= 600
        assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
        etag = response.headers["ETag"]
        assert client.get("/embed.js", headers={"If-None-Match": etag}).status_code == 304

    def test_small_and_dependency_free(self, client):
        source = client.get("/embed.js").get_data(as_text=True)
        assert len(source.encode("utf-8")) < MAX_SCRIPT_BYTES
        assert not re.search(r"\bimport\b|\brequire\(", source)

    def test_never_uses_html_sinks(self, client):
        source = client.get("/embed.js").get_data(as_text=True)
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                     "new Function", "DOMParser", "createContextualFragment"):
            assert sink not in source, sink

    def test_french_labels_and_api_contract(self, client):
        source = client.get("/embed.js").get_data(as_text=True)
        for label in ("Rechercher une action", "Aucune action trouvée", "Voir toutes les actions"):
            assert label in source
        assert "api/search?" in source and 'credentials: "omit"' in source
        for name in ("department", "keyword", "dimension", "public", "status", "year"):
            assert f'"{name}"' in source


class TestSuggest:
    def test_prefix_completions_titles_first(self, client):
        body = client.get("/api/suggest", query_string={"q": "jar"}).get_json()
        assert body["suggestions"][0] == JARDIN
        assert "jardin" in body["suggestions"]

    @pytest.mark.parametrize("variant", ["jàr", "JAR", "Jâr"])
    def test_accent_and_case_insensitive(self, client, variant):
        plain = client.get("/api/suggest", query_string={"q": "jar"}).get_json()["suggestions"]
        assert client.get("/api/suggest", query_string={"q": variant}).get_json()["suggestions"] == plain

    def test_empty_prefix_gives_nothing(self, client):
        assert client.get("/api/suggest", query_string={"q": "  "}).get_json()["suggestions"] == []

    def test_opensearch_suggestions_format(self, client):
        response = client.get("/opensearch-suggest", query_string={"q": "jàr"})
        assert response.status_code == 200
        assert response.mimetype == "application/x-suggestions+json"
        query, completions = response.get_json()
        assert query == "jàr"
        assert JARDIN in completions
        assert client.get("/opensearch-suggest").get_json() == ["", []]


class TestCors:
    def test_default_allows_any_origin_without_credentials(self, client):
        for path in ("/api/search?q=jardin", "/api/suggest?q=jar"):
            response = client.get(path, headers={"Origin": "https://federation.example"})
            assert response.status_code == 200
            assert response.headers["Access-Control-Allow-Origin"] == "*"
            assert "Access-Control-Allow-Credentials" not in response.headers

    def test_configured_origins_echo_only_allowed_ones(self, sample_index, sample_corpus):
        client = cors_client(sample_index, sample_corpus, ("https://a.example",))
        allowed = client.get("/api/search?q=jardin", headers={"Origin": "https://a.example"})
        assert allowed.headers["Access-Control-Allow-Origin"] == "https://a.example"
        assert "Origin" in allowed.headers.get("Vary", "")
        refused = client.get("/api/search?q=jardin", headers={"Origin": "https://b.example"})
        assert refused.status_code == 200
        assert "Access-Control-Allow-Origin" not in refused.headers
        for response in (allowed, refused):
            assert "Access-Control-Allow-Credentials" not in response.headers

    def test_allow_list_answers_vary_by_origin_even_when_refused(self, sample_index, sample_corpus):
        client = cors_client(sample_index, sample_corpus, ("https://a.example",))
        for origin in ("https://a.example", "https://b.example", None):
            response = client.get("/api/search?q=jardin", headers={"Origin": origin} if origin else {})
            assert "Origin" in response.headers.get("Vary", ""), origin

    def test_preflight_allows_cross_origin_post_of_json_to_similar(self, client):
        preflight = client.options("/api/similar", headers={
            "Origin": "https://federation.example", "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type"})
        assert preflight.status_code == 200
        assert preflight.headers["Access-Control-Allow-Origin"] == "*"
        assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
        assert "content-type" in preflight.headers["Access-Control-Allow-Headers"].lower()
        posted = client.post("/api/similar", json={"text": "jardin partagé"},
                             headers={"Origin": "https://federation.example"})
        assert posted.status_code == 200 and posted.headers["Access-Control-Allow-Origin"] == "*"
        search = client.options("/api/search", headers={"Origin": "https://federation.example",
                                                         "Access-Control-Request-Method": "GET"})
        assert search.headers["Access-Control-Allow-Methods"] == "GET"

    def test_html_pages_have_no_cors(self, client):
        response = client.get("/embed", headers={"Origin": "https://federation.example"})
        assert "Access-Control-Allow-Origin" not in response.headers


class TestEmbedPage:
    def test_works_without_javascript(self, client):
        response = client.get("/embed", query_string={"q": "jardin"})
        assert response.status_code == 200
        page = Elements(response.get_data(as_text=True))
        assert not page.all("script")
        assert page.all("form", method="get", action="/embed")
        assert page.all("input", name="q", value="jardin")
        assert page.all("label", **{"for": "q"})
        links = page.all("a", **{"class": "embed-title"})
        assert len(links) == 1 and links[0]["href"].startswith("/actions/jardin-partage")
        assert links[0]["target"] == "_blank" and links[0]["rel"] == "noopener"
        assert JARDIN in response.get_data(as_text=True)

    def test_frameable_by_any_origin(self, client):
        response = client.get("/embed")
        assert frame_ancestors(response) == "*"
        assert "X-Frame-Options" not in response.headers

    @pytest.mark.parametrize("path", ["/", "/integrer", "/embed.js", "/opensearch.xml", "/api/search",
                                      "/embed/", "/embedded", "/actions/inconnue"])
    def test_other_pages_are_not_frameable(self, client, path):
        response = client.get(path)
        assert frame_ancestors(response) == "'self'"
        assert response.headers["X-Frame-Options"] == "SAMEORIGIN"

    def test_preset_filters_restrict_results_and_are_kept_in_the_form(self, client, sample_fiches):
        response = client.get("/embed", query_string={"q": "parents", "department": "Loire-Atlantique"})
        html = response.get_data(as_text=True)
        page = Elements(html)
        own = {f.title for f in sample_fiches if f.department == "Loire-Atlantique"}
        titles = [unescape(t) for t in re.findall(r'class="embed-title"[^>]*>([^<]*)</a>', html)]
        assert titles and set(titles) <= own
        assert "Café des parents" not in html
        assert page.all("input", type="hidden", name="department", value="Loire-Atlantique")
        more = page.all("a", **{"class": "embed-more"})[0]["href"]
        assert parse_qs(urlsplit(more).query) == {"q": ["parents"], "department": ["Loire-Atlantique"]}

    def test_repeated_filter_values_are_ored(self, client):
        one = client.get("/embed", query_string={"department": "Isère"}).get_data(as_text=True)
        both = client.get("/embed", query_string=[("department", "Isère"), ("department", "Somme")]).get_data(as_text=True)
        assert "1 action trouvée" in one
        assert "2 actions trouvées" in both

    def test_limit_and_link_target(self, client):
        page = Elements(client.get("/embed", query_string={"limit": "2", "target": "top"}).get_data(as_text=True))
        links = page.all("a", **{"class": "embed-title"})
        assert len(links) == 2
        assert all(link["target"] == "_top" and link.get("rel") is None for link in links)
        assert page.all("input", type="hidden", name="target", value="top")
        capped = Elements(client.get("/embed", query_string={"limit": "5000"}).get_data(as_text=True))
        assert capped.all("input", type="hidden", name="limit", value="20")

    def test_zero_results_and_suggestion_keep_presets(self, client):
        html = client.get("/embed", query_string={"q": "jardinn", "year": "2015"}).get_data(as_text=True)
        assert "Aucune action trouvée" in html or "Vouliez-vous dire" in html
        for href in re.findall(r'class="embed-suggestion">Vouliez-vous dire <a href="([^"]+)"', html):
            assert parse_qs(urlsplit(href.replace("&amp;", "&")).query)["year"] == ["2015"]

    @pytest.mark.parametrize("query", [{"limit": "abc"}, {"page": "-3"}, {"sort": "<script>"}, {"q": "\"(" * 50}])
    def test_bad_parameters_never_500(self, client, query):
        response = client.get("/embed", query_string=query)
        assert response.status_code in (200, 400)
        assert "<script>" not in response.get_data(as_text=True)

    def test_corpus_markup_is_escaped(self, hostile_client):
        html = hostile_client.get("/embed", query_string={"q": "voisins"}).get_data(as_text=True)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<script" not in html and "<img" not in html and "<b " not in html
        assert "onerror=" not in html.replace("onerror=&#34;", "").replace("onerror=&quot;", "")


class TestOpenSearch:
    def test_description_document(self, client):
        response = client.get("/opensearch.xml")
        assert response.status_code == 200
        assert response.mimetype == "application/opensearchdescription+xml"
        root = ElementTree.fromstring(response.data)
        assert root.tag == f"{OPENSEARCH}OpenSearchDescription"
        assert 0 < len(root.findtext(f"{OPENSEARCH}ShortName")) <= 16
        assert root.findtext(f"{OPENSEARCH}InputEncoding") == "UTF-8"
        urls = {url.get("type"): url.get("template") for url in root.findall(f"{OPENSEARCH}Url")}
        assert urls["text/html"] == "http://localhost/?q={searchTerms}"
        assert urls["application/x-suggestions+json"] == "http://localhost/opensearch-suggest?q={searchTerms}"
        assert urls["application/opensearchdescription+xml"] == "http://localhost/opensearch.xml"

    def test_template_leads_to_a_search(self, client):
        root = ElementTree.fromstring(client.get("/opensearch.xml").data)
        template = next(u.get("template") for u in root.findall(f"{OPENSEARCH}Url") if u.get("type") == "text/html")
        response = client.get(template.replace("http://localhost", "").replace("{searchTerms}", "jardin"))
        assert response.status_code == 200 and "Jardin partagé" in response.get_data(as_text=True)

    def test_embed_page_advertises_it(self, client):
        page = Elements(client.get("/embed").get_data(as_text=True))
        assert page.all("link", rel="search", type="application/opensearchdescription+xml", href="/opensearch.xml")


class TestGuide:
    def test_renders_in_french_with_snippet_and_options(self, client):
        response = client.get("/integrer")
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert "Intégrer la recherche sur votre site" in html
        assert "&lt;script src=&#34;http://localhost/embed.js&#34;" in html or \
               "&lt;script src=\"http://localhost/embed.js\"" in html
        for attribute in ("data-target", "data-department", "data-keyword", "data-dimension", "data-public",
                          "data-status", "data-year", "data-limit", "data-facets", "data-new-tab"):
            assert f"<code>{attribute}</code>" in html, attribute
        assert "/embed?department=Loire-Atlantique" in html
        assert "--ac-accent" in html

    def test_live_preview_uses_the_real_snippet(self, client):
        page = Elements(client.get("/integrer").get_data(as_text=True))
        scripts = page.all("script")
        assert all(script.get("src") for script in scripts), "no inline script under the CSP"
        preview = [s for s in scripts if s["src"] == "/embed.js"]
        assert len(preview) == 1
        target = preview[0]["data-target"]
        assert target.startswith("#") and page.all("div", id=target[1:])

    def test_documents_every_option_the_script_reads(self, client):
        source = client.get("/embed.js").get_data(as_text=True)
        html = client.get("/integrer").get_data(as_text=True)
        read = set(re.findall(r"\bds\.(\w+)", source))
        assert {"limit", "facets", "newTab", "label", "placeholder"} <= read
        for name in read:
            attribute = "data-" + re.sub(r"[A-Z]", lambda m: "-" + m.group(0).lower(), name)
            assert f"<code>{attribute}</code>" in html, attribute
