"""Snippets: matched words marked through stemming and accents, everything escaped."""

from __future__ import annotations

import html
import re


from indexer.analysis import analyze
from indexer.build import build_index
from indexer.fiche import Fiche
from search_app.engine import SearchEngine
from search_app.results import SearchRequest
from tests.conftest import run

TEXT_FIELDS = ("title", "keywords_text", "summary", "meta", "body")
JARDIN = "Jardin partagé: un outil de lien social et de participation citoyenne"


# -- snippets ------------------------------------------------------------------------


def test_snippet_marks_words_through_accents_and_stemming(engine):
    response = run(engine, "parentalite")
    snippets = [hit.snippet for hit in response.hits]
    assert any(re.search(r"<mark>[Pp]arentalité</mark>", s) for s in snippets)
    assert sum("<mark>" in s for s in snippets) >= len(snippets) - 2
    assert "<mark>jardiner</mark>" in run(engine, "jardin").hits[0].snippet


def test_snippet_is_escaped_text_apart_from_marks(engine, sample_fiches):
    by_id = {f.id: f for f in sample_fiches}
    for q in ("parentalite", "familles", "", "enfants -turin"):
        for hit in run(engine, q).hits:
            bare = hit.snippet.replace("<mark>", "").replace("</mark>", "")
            assert "<" not in bare and ">" not in bare
            source = " ".join(" ".join([by_id[hit.id].summary, by_id[hit.id].body_text(),
                                        by_id[hit.id].title]).split())
            for piece in html.unescape(bare).split(" … "):
                assert " ".join(piece.split()).removeprefix("… ").removesuffix(" …") in source


def test_excluded_words_are_not_marked(engine):
    for hit in run(engine, "enfants -parents").hits:
        assert "<mark>parent" not in hit.snippet.lower()


def test_script_in_a_fiche_is_text_in_snippets(tmp_path):
    fiche = Fiche(id="script-00000001", title="Atelier <b>cuisine</b>",
                  summary='Cuisine du monde <script>alert("x")</script> & partage',
                  experience="Un atelier de cuisine <img src=x onerror=alert(1)>.")
    build_index([fiche], tmp_path)
    engine = SearchEngine(tmp_path)
    for q in ("cuisine", "script", "alert", "img", ""):
        [hit] = engine.search(SearchRequest.make(q)).hits
        assert "<script" not in hit.snippet and "<img" not in hit.snippet and "<b>" not in hit.snippet
        bare = hit.snippet.replace("<mark>", "").replace("</mark>", "")
        assert "<" not in bare and ">" not in bare
        assert "<script>" in html.unescape(bare) or "<img" in html.unescape(bare)
    assert "&amp;" in engine.search(SearchRequest.make("cuisine")).hits[0].snippet


def test_passage_is_the_window_with_most_matches_and_is_escaped():
    from search_app.highlight import highlight_passage

    text = ("Un atelier <cuisine> & couture. " + "Rien à signaler ici. " * 20
            + "Le jardin partagé et les jardins familiaux du quartier.")
    passage = highlight_passage(text, frozenset(analyze("jardin")))
    assert passage.startswith("… ") and "<cuisine>" not in passage
    assert passage.count("<mark>") == 2
    assert "<mark>jardin</mark> partagé" in passage and "<mark>jardins</mark>" in passage
    assert highlight_passage("<b>aucun</b>", frozenset(analyze("jardin"))) == ""


def test_acronyms_are_marked_but_not_the_words_they_look_like():
    from search_app.highlight import highlight_passage

    text = "La CAF finance le café des parents. FETE DE QUARTIER."
    assert highlight_passage(text, frozenset(analyze("CAF"))).count("<mark>") == 1
    assert "<mark>CAF</mark>" in highlight_passage(text, frozenset(analyze("CAF")))
    assert "<mark>FETE</mark>" in highlight_passage(text, frozenset(["FETE"]))
