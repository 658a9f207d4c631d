"""Hostile input against the HTTP API and the search page: never a 500, limits answered in French.

Run with `--hypothesis-show-statistics` to see how many examples each property tried.
"""

from __future__ import annotations

import json
import re
import unicodedata
from urllib.parse import quote, unquote

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FUZZ_SMALL = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

WORDS = ["jardin", "parents", "enfants", "Santé", "Turin", "logement", "porteur", "paroles", "esthéticienne",
         "xyzzy", "l'", "aujourd'hui", "0-3ans", "2015", "Parentalité", "a", "de"]
OPERATORS = ["AND", "OR", "NOT", "ET", "OU", "SAUF", "-", "+", '"', "(", ")", "*", "?", "~", "^", ":",
             "[", "]", "{", "}", "\\", "'", "TO", "/", "AND NOT", "ANDMAYBE", "--", "++", "\"\""]
FIELDS = ["titre:", "resume:", "résumé:", "foo:", "record:", "content:", "title:", "id:", "dimension:",
          "keyword:", "spell:", "year:", "motcle:", "body:", "meta:", "partenaire:", "*:", ":"]
ODDITIES = ["\u0301", "e\u0301", "\u200b", "\u200d", "\u200f", "\u202e", "\u2066", "\ufeff", "😀",
            "👩\u200d👩\u200d👧", "\x00", "\x1b", "\x7f", "\t", "\n", "\r", "שלום", "مرحبا", "\U0010ffff",
            "\ud800", "\udfff", "ﬁ", "ß", "İ", "Ⅻ", "①", "…", "«", "»", "’", "\u0000\u0000", "\ufffd"]
# Raw bytes spliced into the query string as they would arrive over the wire.
RAW_FRAGMENTS = ["%ED%A0%80", "%ED%BF%BF", "%FF", "%FE%FF", "%C0%AF", "%C3", "%00", "%", "%zz", "%E2%80",
                 "+", "&", "=", ";", "%26", "%3D", "%2F..%2F", "%0D%0ASet-Cookie:x=1", "%uD800"]
FACETS = ["dimension", "public", "keyword", "status", "department", "year"]

tokens = st.one_of(
    st.sampled_from(WORDS), st.sampled_from(OPERATORS), st.sampled_from(['"', "(", ")", "-", "OR", "NOT"]),
    st.sampled_from(ODDITIES),
    st.builds(lambda f, w: f + w, st.sampled_from(FIELDS), st.sampled_from(WORDS + OPERATORS + [""])),
    st.text(max_size=12),
)
query_text = st.one_of(
    st.lists(tokens, max_size=12).flatmap(
        lambda parts: st.sampled_from([" ", "", "  "]).map(lambda sep: sep.join(parts))),
    st.text(max_size=60),
)
numberish = st.one_of(
    st.integers(min_value=-10**30, max_value=10**30).map(str),
    st.sampled_from(["", " ", "0", "1", "-1", "1e3", "0x10", "1.5", " 7 ", "+3", "١", "²", "NaN", "inf",
                     "1_0", "9" * 5000, "--1", "١٢", "00000000000000000001"]),
    st.text(max_size=8),
)


def encode(value: str) -> str:
    """Percent-encoding as a browser would send it; lone surrogates become their (invalid) UTF-8 bytes."""
    return quote(value, safe="", errors="surrogatepass")


@st.composite
def raw_value(draw, text=query_text) -> str:
    value = encode(draw(text))
    if draw(st.booleans()):
        cut = draw(st.integers(min_value=0, max_value=len(value)))
        value = value[:cut] + draw(st.sampled_from(RAW_FRAGMENTS)) + value[cut:]
    return value


@st.composite
def search_query_string(draw) -> str:
    """A raw query string: repeated, missing, malformed and unknown parameters."""
    pairs: list[str] = []
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        pairs.append("q=" + draw(raw_value()))
    for name in draw(st.lists(st.sampled_from(["page", "per_page", "sort", "limit"]), max_size=4)):
        value = draw(st.one_of(numberish, st.sampled_from(["relevance", "year", "title", "pertinence", "YEAR"])))
        pairs.append(f"{name}={encode(value)}")
    for name in draw(st.lists(st.sampled_from(FACETS + ["partner", "foo", "q[]", ""]), max_size=4)):
        pairs.append(f"{name}=" + draw(raw_value(st.one_of(st.sampled_from(
            ["Santé", "Parentalité", "Familles", "En cours", "2015", "Isère"]), query_text))))
    pairs = draw(st.permutations(pairs))
    return draw(st.sampled_from(["&", "&&", ";"])).join(pairs)


_RAW_BYTES = re.compile(r"%(?:ED%[AB]|FF|FE|C0|C3(?!%[89AB][0-9A-F])|E2%80(?!%)|zz|uD800)|%(?![0-9A-Fa-f]{2})")
_OPERATOR = re.compile(r"(?:^|\s)(?:AND|OR|NOT|ET|OU|SAUF)(?:\s|$)|(?:^|\s)[-+]\S")
_FIELD = re.compile(r"[\w*]*:")


def note_classes(raw: str) -> None:
    """Labels the example with the hostile input classes it contains (shown by --hypothesis-show-statistics)."""
    text = unquote(raw, errors="surrogateescape")
    classes = {
        "operators": bool(_OPERATOR.search(text)),
        "quotes": '"' in text,
        "parentheses": "(" in text or ")" in text,
        "field names": bool(_FIELD.search(text)),
        "unicode oddities": any(unicodedata.category(c) in ("Mn", "Cf", "Cc", "Cs", "Co", "So")
                                or unicodedata.bidirectional(c) in ("R", "AL", "RLO", "RLE", "RLI")
                                for c in text),
        "invalid UTF-8 / raw bytes": bool(_RAW_BYTES.search(raw)),
    }
    for name, present in classes.items():
        if present:
            event(f"class: {name}")


def assert_json_answer(response) -> dict:
    """A result or a JSON error with a 4xx status: never a 500, never a half-answer."""
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    data = response.get_json()
    assert isinstance(data, dict)
    if response.status_code >= 400:
        assert set(data) == {"error"}
        assert isinstance(data["error"]["code"], str) and data["error"]["code"]
        assert isinstance(data["error"]["message"], str) and data["error"]["message"]
    return data


def get_raw(client, path: str, query_string: str):
    return client.get(path, environ_overrides={"QUERY_STRING": query_string})


@pytest.fixture(scope="module")
def limits(app):
    return app.extensions["search_settings"]


# -- /api/search and the search page -----------------------------------------------------------


@FUZZ
@given(qs=search_query_string())
def test_api_search_never_fails(app, qs):
    note_classes(qs)
    if len(re.findall(r"(?:^|[&;])q=", qs)) > 1:
        event("class: repeated q")
    response = get_raw(app.test_client(), "/api/search", qs)
    data = assert_json_answer(response)
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert data["total"] >= 0
        assert len(data["hits"]) <= data["per_page"]
        assert isinstance(data["query"], str)
        assert all(isinstance(hit["snippet"], str) for hit in data["hits"])


@FUZZ
@given(q=query_text)
def test_api_search_answers_any_query_text(app, q):
    """Any query within the length limit is answered (falling back to plain words), not refused."""
    note_classes(encode(q))
    response = get_raw(app.test_client(), "/api/search", "q=" + encode(q))
    data = assert_json_answer(response)
    assert response.status_code == 200, data
    assert "\x00" not in data["query"]


@FUZZ_SMALL
@pytest.mark.parametrize("path", ["/", "/embed"])
@given(qs=search_query_string())
def test_search_pages_never_fail(app, path, qs):
    note_classes(qs)
    response = get_raw(app.test_client(), path, qs)
    assert response.status_code in (200, 400), response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/html"
    assert "<html" in response.get_data(as_text=True)


@FUZZ
@given(page=st.integers(min_value=-10**6, max_value=10**6), per_page=st.integers(min_value=-10**6, max_value=10**6))
def test_page_bounds_are_enforced(app, limits, page, per_page):
    response = app.test_client().get("/api/search", query_string={"q": "parents", "page": page, "per_page": per_page})
    data = assert_json_answer(response)
    page_ok = 1 <= page <= limits.MAX_PAGE
    per_page_ok = 0 <= per_page <= limits.MAX_PER_PAGE  # per_page=0: counts only (issue 14)
    if page_ok and per_page_ok:
        assert response.status_code == 200
        assert (data["page"], data["per_page"]) == (page, per_page)
    else:
        assert response.status_code == 400
        assert data["error"]["code"] == "invalid_parameter"
        bad = "page" if not page_ok else "per_page"
        low = 1 if bad == "page" else 0
        assert f"« {bad} » doit être compris entre {low} et" in data["error"]["message"]


@FUZZ_SMALL
@given(sort=st.text(max_size=20))
def test_unknown_sort_is_refused_in_french(app, sort):
    response = app.test_client().get("/api/search", query_string={"q": "jardin", "sort": sort})
    data = assert_json_answer(response)
    if sort in ("relevance", "year", "title", ""):
        assert response.status_code == 200
    else:
        assert response.status_code == 400
        assert "tri inconnu" in data["error"]["message"]


# -- limits ---------------------------------------------------------------------------------


def long_query(size: int, unit: str) -> str:
    return (unit * (size // len(unit) + 1))[:size]


@pytest.mark.parametrize("unit", ["jardin ", '"a" OR (b AND -c) titre:jardin ', "(", '"', "a OR ", "é\u0301😀\u200b"])
def test_query_at_the_length_limit_is_answered(app, limits, unit):
    response = app.test_client().get("/api/search", query_string={"q": long_query(limits.MAX_QUERY_CHARS, unit)})
    assert_json_answer(response)
    assert response.status_code == 200


@pytest.mark.parametrize("size", ["max+1", 100_000])
@pytest.mark.parametrize("path", ["/api/search", "/"])
def test_query_over_the_length_limit_is_refused_in_french(app, limits, size, path):
    size = limits.MAX_QUERY_CHARS + 1 if size == "max+1" else size
    response = app.test_client().get(path, query_string={"q": long_query(size, "jardin ")})
    assert response.status_code == 400
    if path == "/api/search":
        error = response.get_json()["error"]
        assert error["code"] == "query_too_long"
        assert error["message"] == (f"la requête est trop longue ({size} caractères, "
                                    f"maximum {limits.MAX_QUERY_CHARS})")
    else:
        assert "requête est trop longue" in response.get_data(as_text=True).lower()


def test_page_depth_and_page_size_limits(app, limits):
    client = app.test_client()
    assert client.get("/api/search", query_string={"page": limits.MAX_PAGE}).status_code == 200
    assert client.get("/api/search", query_string={"per_page": limits.MAX_PER_PAGE}).status_code == 200
    deep = client.get("/api/search", query_string={"page": limits.MAX_PAGE + 1})
    assert deep.status_code == 400
    assert deep.get_json()["error"]["message"] == (
        f"le paramètre « page » doit être compris entre 1 et {limits.MAX_PAGE} (reçu {limits.MAX_PAGE + 1})")
    wide = client.get("/api/search", query_string={"per_page": limits.MAX_PER_PAGE + 1})
    assert wide.status_code == 400
    assert "« per_page » doit être compris entre 0 et" in wide.get_json()["error"]["message"]  # 0: counts only
    huge = client.get("/api/search", query_string={"page": "9" * 5000})
    assert huge.status_code == 400
    assert "nombre entier" in huge.get_json()["error"]["message"]


def test_filter_limits(app, limits):
    client = app.test_client()
    many = [("keyword", f"mot{i}") for i in range(limits.MAX_FILTER_VALUES + 1)]
    response = client.get("/api/search", query_string=many)
    assert response.status_code == 400
    assert "trop de valeurs pour le filtre « keyword »" in response.get_json()["error"]["message"]
    response = client.get("/api/search", query_string={"dimension": "x" * 10_000})
    assert response.status_code == 400
    assert "dépasse" in response.get_json()["error"]["message"]


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", "application/x-www-form-urlencoded"])
def test_body_over_the_limit_is_refused_with_413(app, limits, content_type):
    body = json.dumps({"text": "jardin " * (limits.MAX_BODY_BYTES // 7 + 10)}).encode()
    assert len(body) > limits.MAX_BODY_BYTES
    response = app.test_client().post("/api/similar", data=body, content_type=content_type)
    data = assert_json_answer(response)
    assert response.status_code == 413
    assert data["error"]["code"] == "payload_too_large"
    assert data["error"]["message"].startswith("corps de requête trop volumineux")


def test_similar_text_limits(app, limits):
    client = app.test_client()
    page_of_text = long_query(limits.MAX_SIMILAR_CHARS, "des ateliers parents enfants autour du jeu ")
    response = client.post("/api/similar", json={"text": page_of_text, "limit": 3})
    assert response.status_code == 200
    assert 1 <= len(response.get_json()["hits"]) <= 3
    too_long = client.post("/api/similar", json={"text": page_of_text + "x"})
    assert too_long.status_code == 400
    assert too_long.get_json()["error"]["code"] == "text_too_long"
    assert "le texte est trop long" in too_long.get_json()["error"]["message"]


# -- /api/similar, /api/suggest, /api/actions/<id> -----------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
similar_bodies = st.one_of(
    st.fixed_dictionaries({}, optional={
        "text": st.one_of(query_text, json_values),
        "limit": st.one_of(numberish, st.integers(), json_values),
        "keyword": st.one_of(st.sampled_from(["Santé", "Parentalité"]), json_values),
        "dimension": json_values,
        "year": st.lists(st.one_of(st.integers(), st.text(max_size=5)), max_size=3),
    }),
    json_values,
)


@FUZZ
@given(body=similar_bodies)
def test_post_similar_with_any_json(app, body):
    payload = json.dumps(body)
    response = app.test_client().post("/api/similar", data=payload, content_type="application/json")
    data = assert_json_answer(response)
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert isinstance(data["hits"], list)


@FUZZ_SMALL
@given(body=st.binary(max_size=300),
       content_type=st.sampled_from(["application/json", "text/plain", "application/x-www-form-urlencoded",
                                     "multipart/form-data", "multipart/form-data; boundary=x", "",
                                     "application/json; charset=latin-1", "application/json; charset=utf-16"]))
def test_post_similar_with_any_bytes(app, body, content_type):
    response = app.test_client().post("/api/similar", data=body, content_type=content_type)
    assert_json_answer(response)
    assert response.status_code in (200, 400, 415)


@FUZZ_SMALL
@given(text=raw_value(), limit=numberish)
def test_get_similar_with_any_text(app, text, limit):
    response = get_raw(app.test_client(), "/api/similar", f"text={text}&limit={encode(limit)}")
    assert_json_answer(response)
    assert response.status_code in (200, 400)


@FUZZ
@given(prefix=raw_value())
def test_suggest_with_any_prefix(app, limits, prefix):
    note_classes(prefix)
    response = get_raw(app.test_client(), "/api/suggest", "q=" + prefix)
    data = assert_json_answer(response)
    if response.status_code == 400 and "&" in prefix:  # the raw value named another, unknown parameter
        assert data["error"]["code"] == "unknown_parameter"
        return
    assert response.status_code == 200
    assert isinstance(data["suggestions"], list) and len(data["suggestions"]) <= limits.SUGGEST_LIMIT
    assert all(isinstance(s, str) for s in data["suggestions"])


@FUZZ
@given(fiche_id=st.one_of(st.text(min_size=1, max_size=80), query_text.filter(bool)),
       suffix=st.sampled_from(["", "/similar", "/similar?limit=3", "/similar?limit=-4", "/similar?limit=x"]))
def test_actions_with_any_id(app, fiche_id, suffix):
    path = "/api/actions/" + encode(fiche_id) + suffix
    response = app.test_client().get(path)
    data = assert_json_answer(response)
    assert response.status_code in (200, 400, 404)
    if response.status_code == 404:
        assert data["error"]["code"] in ("action_not_found", "not_found")
    page = app.test_client().get("/actions/" + encode(fiche_id))
    assert page.status_code in (200, 308, 404) and page.mimetype == "text/html"
    if page.status_code == 308:  # "//" merged by the router: never a redirect to another site
        assert page.headers["Location"].startswith("http://localhost/actions/")


def test_known_action_and_unknown_action(app, sample_fiches):
    client = app.test_client()
    known = sample_fiches[0]
    response = client.get(f"/api/actions/{known.id}")
    assert response.status_code == 200
    assert response.get_json()["title"] == known.title
    missing = client.get("/api/actions/nexiste-pas-00000000")
    assert missing.status_code == 404
    assert missing.get_json()["error"] == {
        "code": "action_not_found", "message": "aucune fiche d'identifiant « nexiste-pas-00000000 » dans l'index"}
