"""The JSON API contract (issue 3), field by field, through the Flask test client."""

from __future__ import annotations

import json
import re
from collections import Counter
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.analysis import analyze, fold
from indexer.schema import TEXT_FIELD_BOOSTS, fiche_document
from search_app.expansion import vocabulary

from conftest import by_title

RESPONSE_KEYS = {"query", "total", "page", "per_page", "hits", "facets", "suggestion", "took_ms",
                 "relaxed", "similarity", "semantic", "sort", "filters", "expansions", "corrections", "index"}
HIT_KEYS = {"id", "url", "title", "structure", "department", "year", "status", "dimension",
            "public", "keywords", "snippet", "score"}
FACETS = ("dimension", "public", "keyword", "status", "department", "year", "region",
          "territory", "initiative", "partner", "funder")
FACET_VALUES = {
    "dimension": lambda f: [f.dimension] if f.dimension else [],
    "public": lambda f: f.public,
    "keyword": lambda f: f.keywords,
    "status": lambda f: [f.status] if f.status else [],
    "department": lambda f: [f.department] if f.department else [],
    "year": lambda f: [f.year] if f.year else [],
    "region": lambda f: [f.region] if f.region else [],
    "territory": lambda f: f.territories,
    "initiative": lambda f: f.initiative,
    "partner": lambda f: f.partner_names,
    "funder": lambda f: f.funders,
}
ATELIERS = "Ateliers Parents-enfants"


def get_json(client, path: str, query=None, expect: int = 200) -> dict:
    response = client.get(path, query_string=query)
    assert response.status_code == expect, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()


def search(client, expect: int = 200, **query) -> dict:
    return get_json(client, "/api/search", query, expect)


def assert_error(data: dict, code: str | None = None) -> None:
    assert set(data) == {"error"}
    assert set(data["error"]) == {"code", "message"}
    assert isinstance(data["error"]["message"], str) and data["error"]["message"]
    if code:
        assert data["error"]["code"] == code


def ids(data: dict) -> list[str]:
    return [hit["id"] for hit in data["hits"]]


# -- brute force over the parsed fiches, independent of the engine ---------------


def matches_query(fiche, word: str) -> bool:
    """Whether the fiche holds the word, or one of its equivalents (synonyms, acronym long forms)."""
    if not word:
        return True
    document = fiche_document(fiche)
    texts = [analyze(str(document[name])) for name in TEXT_FIELD_BOOSTS]
    wanted = tuple(analyze(word))
    equivalents = [alt.terms for alt in vocabulary().alternatives.get(wanted, [])]
    return any(_holds(stems, terms) for stems in texts for terms in [wanted, *equivalents])


def _holds(stems: list[str], terms: tuple[str, ...]) -> bool:
    if len(terms) == 1:
        return terms[0] in stems
    return any(tuple(stems[i:i + len(terms)]) == terms for i in range(len(stems)))


def passes(fiche, filters: dict[str, list[str]], skip: str | None = None) -> bool:
    return all(set(FACET_VALUES[name](fiche)) & set(values)
               for name, values in filters.items() if name != skip and values)


def expected_facets(fiches, word: str, filters: dict[str, list[str]]) -> dict[str, dict[str, tuple[int, bool]]]:
    out = {}
    for name in FACETS:
        counts: Counter = Counter()
        for fiche in fiches:
            if matches_query(fiche, word) and passes(fiche, filters, skip=name):
                counts.update(set(FACET_VALUES[name](fiche)))
        selected = set(filters.get(name, []))
        rows = {value: (count, value in selected) for value, count in counts.items()}
        rows.update({value: (counts.get(value, 0), True) for value in selected})
        out[name] = rows
    return out


def facet_rows(data: dict) -> dict[str, dict[str, tuple[int, bool]]]:
    return {name: {row["value"]: (row["count"], row["selected"]) for row in rows}
            for name, rows in data["facets"].items()}


# -- the response, field by field -----------------------------------------------


def test_search_response_fields(client, sample_fiches):
    data = search(client, q="jardin")
    assert set(data) == RESPONSE_KEYS
    assert data["query"] == "jardin"
    assert data["total"] == 1
    assert (data["page"], data["per_page"], data["sort"]) == (1, 10, "relevance")
    assert data["filters"] == {}
    assert data["suggestion"] is None
    assert data["relaxed"] is False and data["similarity"] is False
    assert isinstance(data["took_ms"], (int, float)) and data["took_ms"] >= 0
    [hit] = data["hits"]
    assert set(hit) == HIT_KEYS
    fiche = next(f for f in sample_fiches if f.id == hit["id"])
    assert fiche.title.startswith("Jardin partagé")
    assert hit["title"] == fiche.title
    assert hit["structure"] == fiche.structure_name == "CENTRE SOCIAL Rosa Parks"
    assert (hit["department"], hit["year"], hit["status"]) == ("Isère", "2015", "En cours")
    assert hit["dimension"] == fiche.dimension
    assert hit["public"] == fiche.public and hit["keywords"] == fiche.keywords
    assert "<mark>jardin</mark>" in hit["snippet"].lower()
    assert isinstance(hit["score"], float) and hit["score"] > 0


def test_hit_url_is_absolute_and_opens_the_fiche(client):
    hit = search(client, q="Turin")["hits"][0]
    url = urlsplit(hit["url"])
    assert url.scheme in {"http", "https"} and url.netloc
    assert url.path == f"/actions/{hit['id']}"
    page = client.get(url.path)
    assert page.status_code == 200
    assert "Sortie Turin" in page.get_data(as_text=True)


def test_facets_have_every_public_facet_with_value_count_selected(client):
    data = search(client)
    assert list(data["facets"]) == list(FACETS)
    for rows in data["facets"].values():
        assert rows
        for row in rows:
            assert set(row) == {"value", "label", "count", "selected"}
            assert isinstance(row["value"], str) and isinstance(row["count"], int)
            assert row["selected"] is False and row["count"] > 0
        counts = [row["count"] for row in rows]
        assert counts == sorted(counts, reverse=True)
    assert {"value": "2015", "label": "2015", "count": 14, "selected": False} in data["facets"]["year"]


def test_hits_carry_each_fiche_as_parsed(client, sample_fiches):
    data = search(client, per_page=50)
    assert data["total"] == len(sample_fiches) == 14
    by_id = {f.id: f for f in sample_fiches}
    assert set(ids(data)) == set(by_id)
    for hit in data["hits"]:
        fiche = by_id[hit["id"]]
        assert hit["score"] is None
        assert (hit["title"], hit["structure"], hit["department"], hit["year"], hit["status"],
                hit["dimension"], hit["public"], hit["keywords"]) == (
            fiche.title, fiche.structure_name, fiche.department, fiche.year, fiche.status,
            fiche.dimension, fiche.public, fiche.keywords)
        assert "<" not in hit["snippet"].replace("<mark>", "").replace("</mark>", "")


# -- facets: OR within, AND across, disjunctive counts ------------------------------


def test_disjunctive_counts_with_one_keyword(client, sample_fiches):
    data = search(client, keyword="Parentalité")
    assert data["total"] == 8
    assert data["filters"] == {"keyword": ["Parentalité"]}
    keyword = {row["value"]: row for row in data["facets"]["keyword"]}
    sante = sum(1 for f in sample_fiches if "Santé" in f.keywords)
    assert sante == 3
    assert keyword["Santé"] == {"value": "Santé", "label": "Santé", "count": sante, "selected": False}
    assert keyword["Parentalité"] == {"value": "Parentalité", "label": "Parentalité", "count": 8, "selected": True}
    assert all(row["selected"] == (row["value"] == "Parentalité") for row in data["facets"]["keyword"])
    department = {row["value"]: row["count"] for row in data["facets"]["department"]}
    assert department == Counter(f.department for f in sample_fiches if "Parentalité" in f.keywords)


def test_values_of_one_facet_are_ored(client, sample_fiches):
    data = search(client, keyword=["Santé", "Logement"], per_page=50)
    expected = {f.id for f in sample_fiches if {"Santé", "Logement"} & set(f.keywords)}
    assert set(ids(data)) == expected and data["total"] == len(expected) == 4
    selected = [row["value"] for row in data["facets"]["keyword"] if row["selected"]]
    assert sorted(selected) == ["Logement", "Santé"]


def test_different_facets_are_anded(client, sample_fiches):
    data = search(client, keyword="Parentalité", department="Loire-Atlantique", per_page=50)
    expected = {f.id for f in sample_fiches
                if "Parentalité" in f.keywords and f.department == "Loire-Atlantique"}
    assert set(ids(data)) == expected and data["total"] == 3
    assert facet_rows(data) == expected_facets(
        sample_fiches, "", {"keyword": ["Parentalité"], "department": ["Loire-Atlantique"]})


def test_unknown_filter_value_selected_with_zero_count(client):
    data = search(client, keyword="Inexistant")
    assert data["total"] == 0 and data["hits"] == []
    assert {"value": "Inexistant", "label": "Inexistant", "count": 0, "selected": True} in data["facets"]["keyword"]


def _filter_strategy(fiches):
    values = {name: sorted({v for f in fiches for v in getter(f)}) for name, getter in FACET_VALUES.items()}
    return st.fixed_dictionaries({}, optional={
        name: st.lists(st.sampled_from(vals), min_size=1, max_size=3, unique=True)
        for name, vals in values.items()})


class Corpus:
    """The parsed fiches, with a short repr for Hypothesis' reports."""

    def __init__(self, fiches) -> None:
        self.fiches = fiches
        self.filters = _filter_strategy(fiches)

    def __repr__(self) -> str:
        return f"<{len(self.fiches)} fiches>"


@pytest.fixture(scope="module")
def corpus(sample_fiches):
    return Corpus(sample_fiches)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_facet_counts_and_totals_match_brute_force(client, corpus, data):
    sample_fiches = corpus.fiches
    filters = data.draw(corpus.filters, label="filters")
    word = data.draw(st.sampled_from(["", "parents", "jeunes", "santé", "habitants"]), label="q")
    response = search(client, q=word, per_page=50, **filters)
    expected_ids = {f.id for f in sample_fiches if matches_query(f, word) and passes(f, filters)}
    assert response["total"] == len(expected_ids)
    assert set(ids(response)) == expected_ids
    assert facet_rows(response) == expected_facets(sample_fiches, word, filters)


def test_browse_with_filters_only(client, sample_fiches):
    data = search(client, q="", public="familles", per_page=50)
    expected = {f.id for f in sample_fiches if "familles" in f.public}
    assert set(ids(data)) == expected and data["total"] == len(expected) == 6
    assert all(hit["score"] is None for hit in data["hits"])
    assert search(client, public="familles", per_page=50)["total"] == 6


def test_no_query_and_no_filters_lists_everything(client):
    assert search(client)["total"] == 14
    assert search(client, q="   ")["total"] == 14


# -- pagination and sort ----------------------------------------------------------


@pytest.mark.parametrize("query", [{}, {"q": "enfants"}, {"q": "enfants", "sort": "title"}])
def test_pages_cover_every_result_once(client, query):
    total = search(client, **query)["total"]
    assert total > 5
    seen = []
    for page in range(1, (total + 4) // 5 + 1):
        data = search(client, page=page, per_page=5, **query)
        assert data["page"] == page and data["per_page"] == 5 and data["total"] == total
        assert len(data["hits"]) == min(5, total - (page - 1) * 5)
        seen += ids(data)
    assert len(seen) == len(set(seen)) == total
    assert seen == ids(search(client, per_page=50, **query))


def test_pages_of_all_fourteen(client):
    pages = [ids(search(client, page=page, per_page=5)) for page in (1, 2, 3)]
    assert [len(p) for p in pages] == [5, 5, 4]
    assert len(set(sum(pages, []))) == 14


def test_page_beyond_the_last_is_empty(client):
    data = search(client, page=4, per_page=5)
    assert data["hits"] == [] and data["total"] == 14 and data["page"] == 4
    assert search(client, q="jardin", page=2)["hits"] == []


@pytest.mark.parametrize("query, name", [
    ({"page": "0"}, "page"), ({"page": "-1"}, "page"), ({"page": "abc"}, "page"), ({"page": "1.5"}, "page"),
    ({"page": "101"}, "page"), ({"per_page": "51"}, "per_page"),
    ({"per_page": "-3"}, "per_page"), ({"per_page": "dix"}, "per_page"), ({"per_page": "1e3"}, "per_page"),
])
def test_bad_paging_is_a_400_in_french(client, query, name):
    data = search(client, expect=400, **query)
    assert_error(data, "invalid_parameter")
    assert f"« {name} »" in data["error"]["message"]
    assert re.search(r"doit être|entier|compris entre", data["error"]["message"])


def test_unknown_sort_is_a_400(client):
    data = search(client, expect=400, sort="popularity")
    assert_error(data, "invalid_parameter")
    assert "tri inconnu" in data["error"]["message"]


def test_sort_by_title_ignores_accents_and_case(client, sample_fiches):
    data = search(client, sort="title", per_page=50)
    titles = [hit["title"] for hit in data["hits"]]
    assert titles == sorted((f.title for f in sample_fiches), key=lambda t: fold(t).strip())
    assert titles[0] == "ACCUEIL PARENTS ENFANTS 0-3ANS" and titles[1] == "atelier parents enfants"
    assert all(hit["score"] is None for hit in data["hits"])


def test_sort_by_year_then_title(client):
    data = search(client, sort="year", per_page=50)
    keys = [(hit["year"], fold(hit["title"])) for hit in data["hits"]]
    assert [k[0] for k in keys] == sorted((k[0] for k in keys), reverse=True)
    assert [k[1] for k in keys] == sorted(k[1] for k in keys)


def test_sort_by_relevance_orders_by_score(client):
    data = search(client, q="parents enfants", per_page=50, sort="relevance")
    scores = [hit["score"] for hit in data["hits"]]
    assert len(scores) > 3 and scores == sorted(scores, reverse=True)
    titled = search(client, q="parents enfants", per_page=50, sort="title")
    assert sorted(ids(titled)) == sorted(ids(data))
    assert [h["title"] for h in titled["hits"]] == sorted((h["title"] for h in data["hits"]), key=fold)


# -- malformed input never yields a 500 -------------------------------------------------

MALFORMED = [
    '"porteur de', 'jardin"', '"', '""', "(jardin", "jardin)", "((", ")(", "titre:", "titre: jardin",
    "jardin titre:", "titre:titre:", ":", "::jardin", "AND", "OR", "NOT", "ET", "OU", "-", "+", "- -",
    "jardin AND", "OR jardin", "NOT", "jardin -", "+jardin", "*", "jardin*", "?", "~", "^2", "[a TO z]",
    "{a TO z}", "jardin^", "jar\x00din", "\x07\x1b[31mjardin", "jardin\u202eedcba", "\ufeffjardin",
    "\u200bjardin\u200b", "record:x", "content:x", "spell:jardin", "id:x", "title_sort:a", "a:b:c",
    "dimension:", "keyword:Santé", "year:2015", "'", "l'", "’", "jardin\tturin\n", "%", "\\", "\\\"",
    "<script>alert(1)</script>", "😀 jardin", "ⓙⓐⓡⓓⓘⓝ", "x" * 300, "(a OR b) AND -(c OR d)",
]


@pytest.mark.parametrize("q", MALFORMED, ids=lambda q: repr(q[:30]))
def test_malformed_query_is_answered(client, q):
    data = search(client, q=q)
    assert set(data) == RESPONSE_KEYS
    assert isinstance(data["total"], int) and data["total"] >= 0
    for hit in data["hits"]:
        assert set(hit) == HIT_KEYS


def test_invalid_utf8_query_string_is_answered(client):
    response = client.get("/api/search?q=%FF%FEjardin")
    assert response.status_code == 200


@pytest.mark.parametrize("pattern", [
    "jardin ", "(", "(" * 5000 + ")", '"a b ', "x OR ", "titre:", "-a ", "a:", "jardin -", "NOT ",
    "parents ET (enfants OU ", "\"porteur de paroles\" -",
], ids=lambda pattern: repr(pattern[:20]))
def test_ten_thousand_character_queries_are_answered(client, pattern):
    q = (pattern * 10_000)[:10_000]
    data = search(client, q=q)
    assert set(data) == RESPONSE_KEYS


def test_query_over_the_limit_is_a_400(client):
    data = search(client, expect=400, q="a" * 10_001)
    assert_error(data, "query_too_long")
    assert "trop longue" in data["error"]["message"] and "10000" in data["error"]["message"]


def test_too_many_filter_values_is_a_400(client):
    data = search(client, expect=400, keyword=[f"v{i}" for i in range(51)])
    assert_error(data, "invalid_parameter")
    assert "« keyword »" in data["error"]["message"]


# -- one fiche ----------------------------------------------------------------------


def test_action_is_the_whole_fiche(client, sample_fiches):
    fiche = by_title(sample_fiches, "Sortie Turin")
    data = get_json(client, f"/api/actions/{fiche.id}")
    url = data.pop("url")
    data.pop("index")  # the data version every JSON answer carries (issue 14)
    assert data == json.loads(json.dumps(fiche.to_dict()))
    assert urlsplit(url).path == f"/actions/{fiche.id}"


def test_unknown_action_is_a_404_json_error(client):
    data = get_json(client, "/api/actions/inexistante-00000000", expect=404)
    assert_error(data, "action_not_found")


def test_unknown_api_endpoint_is_a_404_json_error(client):
    assert_error(get_json(client, "/api/nothing-here", expect=404), "not_found")


@pytest.mark.parametrize("path", ["/api/actions///similar", "/api/actions/%2F/similar", "/api/actions//"])
def test_slashes_in_an_action_id_are_a_404_json_error_not_a_redirect(client, path):
    assert_error(get_json(client, path, expect=404))


# -- similar actions ----------------------------------------------------------------


def test_similar_to_an_action(client, sample_fiches):
    fiche = by_title(sample_fiches, ATELIERS)
    data = get_json(client, f"/api/actions/{fiche.id}/similar", {"limit": 5})
    assert data["id"] == fiche.id
    titles = [hit["title"] for hit in data["hits"]]
    assert len(titles) == 5 and fiche.title not in titles
    assert titles[0] in {"atelier parents enfants", "ACCUEIL PARENTS ENFANTS 0-3ANS"}
    for hit in data["hits"]:
        assert set(hit) == HIT_KEYS
    assert len(get_json(client, f"/api/actions/{fiche.id}/similar", {"limit": 2})["hits"]) == 2
    every = get_json(client, f"/api/actions/{fiche.id}/similar", {"limit": 50})["hits"]
    assert fiche.id not in {hit["id"] for hit in every}


def test_similar_to_an_action_with_filters(client, sample_fiches):
    fiche = by_title(sample_fiches, ATELIERS)
    data = get_json(client, f"/api/actions/{fiche.id}/similar", {"department": "Loire-Atlantique"})
    assert data["hits"] and all(hit["department"] == "Loire-Atlantique" for hit in data["hits"])


def test_similar_to_unknown_action_is_a_404(client):
    assert_error(get_json(client, "/api/actions/nope/similar", expect=404), "action_not_found")


@pytest.mark.parametrize("limit", ["0", "-1", "abc", "51"])
def test_similar_bad_limit_is_a_400(client, sample_fiches, limit):
    fiche = by_title(sample_fiches, ATELIERS)
    assert_error(get_json(client, f"/api/actions/{fiche.id}/similar", {"limit": limit}, expect=400))


def post_similar(client, body, expect: int = 200) -> dict:
    response = client.post("/api/similar", json=body) if not isinstance(body, (str, bytes)) else \
        client.post("/api/similar", data=body, content_type="application/json")
    assert response.status_code == expect, response.get_data(as_text=True)
    return response.get_json()


def test_similar_to_text_with_filters(client):
    text = "Des ateliers où parents et enfants partagent des activités pour renforcer le lien familial."
    data = post_similar(client, {"text": text, "limit": 3, "department": "Loire-Atlantique"})
    assert 1 <= len(data["hits"]) <= 3
    assert all(hit["department"] == "Loire-Atlantique" for hit in data["hits"])
    assert data["hits"][0]["title"] in {"atelier parents enfants", "ACCUEIL PARENTS ENFANTS 0-3ANS"}
    listed = post_similar(client, {"text": text, "department": ["Loire-Atlantique", "Manche"], "limit": 10})
    assert {hit["department"] for hit in listed["hits"]} <= {"Loire-Atlantique", "Manche"}
    assert ATELIERS in {hit["title"] for hit in listed["hits"]}


def test_similar_to_a_page_of_text(client, sample_fiches):
    words = " ".join(f.body_text() for f in sample_fiches).split()
    text = " ".join((words * (5000 // len(words) + 1))[:5000])
    data = post_similar(client, {"text": text, "limit": 10})
    assert len(data["hits"]) == 10
    assert len({hit["id"] for hit in data["hits"]}) == 10


def test_similar_by_get(client):
    data = get_json(client, "/api/similar", {"text": "sortie en car à Turin pour les familles", "limit": 3})
    assert data["hits"][0]["title"] == "Sortie Turin" and len(data["hits"]) <= 3


@pytest.mark.parametrize("body", [{}, {"text": ""}, {"text": "   "}, {"text": 42}, {"text": ["a"]}, {"limit": 3}])
def test_similar_without_text_is_a_400(client, body):
    assert_error(post_similar(client, body, expect=400), "missing_text")


def test_similar_get_without_text_is_a_400(client):
    assert_error(get_json(client, "/api/similar", expect=400), "missing_text")
    assert_error(get_json(client, "/api/similar", {"text": ""}, expect=400), "missing_text")


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", '"text"', "", "null"])
def test_similar_with_invalid_json_is_a_400(client, body):
    assert_error(post_similar(client, body, expect=400), "invalid_json")


def test_similar_bad_limit_in_body_is_a_400(client):
    assert_error(post_similar(client, {"text": "jardin", "limit": 0}, expect=400), "invalid_parameter")


# -- OpenAPI ------------------------------------------------------------------------


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def test_openapi_documents_every_api_route(app, client):
    doc = get_json(client, "/api/openapi.json")
    assert doc["openapi"].startswith("3.1")
    assert doc["info"]["title"] and doc["info"]["version"]
    served = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") and rule.endpoint != "api.unknown_endpoint":
            served.setdefault(_openapi_path(rule.rule), set()).update(
                m.lower() for m in rule.methods - {"HEAD", "OPTIONS"})
    assert "/api/search" in served and "/api/similar" in served
    assert set(doc["paths"]) == set(served)
    for path, methods in served.items():
        assert set(doc["paths"][path]) == methods, path
        for operation in doc["paths"][path].values():
            assert operation["responses"] and operation["summary"]
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == set(re.findall(r"{([^}]+)}", path)), path


def test_openapi_refs_resolve(client):
    doc = get_json(client, "/api/openapi.json")
    refs = re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', json.dumps(doc))
    assert refs and set(refs) <= set(doc["components"]["schemas"])
    hit = doc["components"]["schemas"]["Hit"]
    assert set(hit["required"]) == HIT_KEYS == set(hit["properties"])
    response = doc["components"]["schemas"]["SearchResponse"]
    assert RESPONSE_KEYS <= set(response["properties"])
    search_params = {p["name"] for p in doc["paths"]["/api/search"]["get"]["parameters"]}
    assert {"q", "page", "per_page", "sort", *FACETS} <= search_params


def test_lone_surrogate_echoed_in_an_error_is_still_valid_json(client):
    response = client.post("/api/similar", data='{"text": "jardin", "limit": "\\ud800"}',
                           content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_parameter"


def test_suggest_does_not_echo_invisible_characters(client):
    data = client.get("/api/suggest?q=jar\u200bdi\u202en\u2066").get_json()
    assert data["query"] == "jardin"
    assert "Jardin partagé: un outil de lien social et de participation citoyenne" in data["suggestions"]
    assert not any(ch in "".join(data["suggestions"]) for ch in "\u200b\u202e\u2066")


def test_bidi_mark_inside_a_filter_value_finds_the_value(client):
    plain = client.get("/api/search?keyword=Sant%C3%A9").get_json()
    marked = client.get("/api/search?keyword=Sant%E2%80%8E%C3%A9").get_json()
    assert plain["total"] > 0 and marked["total"] == plain["total"]
    assert marked["filters"] == {"keyword": ["Santé"]}


# -- semantic layer on and off -------------------------------------------------------


LONG_TEXT = ("Nous aimerions proposer aux parents et à leurs adolescents une escapade d'un jour dans une grande "
             "ville italienne du Piémont, au-delà des Alpes, pour découvrir son marché et ses monuments.")


def lexical_client(sample_index, sample_corpus, **config):
    from search_app import create_app

    app = create_app({"INDEX_DIR": sample_index, "CORPUS_DIR": sample_corpus, "BUILD_IF_MISSING": False, **config})
    return app.test_client()


def test_semantic_layer_is_reported_on_healthz_and_every_search(client):
    assert client.get("/healthz").get_json()["semantic"] is True
    assert get_json(client, "/api/search", {"q": "jardin"})["semantic"] is True
    assert get_json(client, "/api/search", {"q": LONG_TEXT})["semantic"] is True
    assert post_similar(client, {"text": LONG_TEXT, "limit": 1})["hits"][0]["title"] == "Sortie Turin"


@pytest.mark.parametrize("how", ["setting", "environment", "no model"])
def test_without_the_semantic_layer_search_is_lexical_and_says_so(sample_index, sample_corpus, sample_fiches,
                                                                  monkeypatch, how):
    config = {}
    if how == "setting":
        config["SEMANTIC"] = False
    elif how == "environment":
        monkeypatch.setenv("SEARCH_SEMANTIC", "false")
    else:
        from search_app import semantic
        monkeypatch.setattr(semantic, "embedder", lambda: None)
    lexical = lexical_client(sample_index, sample_corpus, **config)
    assert lexical.get("/healthz").get_json()["semantic"] is False
    data = get_json(lexical, "/api/search", {"q": "jardin"})
    assert data["semantic"] is False and data["hits"][0]["title"].startswith("Jardin partagé")
    long = get_json(lexical, "/api/search", {"q": LONG_TEXT})
    assert long["semantic"] is False and long["similarity"] is True and long["hits"]
    assert post_similar(lexical, {"text": LONG_TEXT, "limit": 3})["hits"]
    fiche = by_title(sample_fiches, ATELIERS)
    assert len(get_json(lexical, f"/api/actions/{fiche.id}/similar", {"limit": 5})["hits"]) == 5
