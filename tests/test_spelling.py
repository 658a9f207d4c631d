"""Typo tolerance: "Vouliez-vous dire" suggestions."""

from __future__ import annotations

import re

import pytest

from indexer.analysis import fold
from search_app.results import SearchRequest
from tests.conftest import run

TEXT_FIELDS = ("title", "keywords_text", "summary", "meta", "body")
JARDIN = "Jardin partagé: un outil de lien social et de participation citoyenne"


# -- typo tolerance ----------------------------------------------------------------------


@pytest.mark.parametrize("q, expected", [
    ("jardim", "jardin"),
    ("turinn", "turin"),
    ("parentalitz", "parentalité"),
    ("educatoin", "éducation"),
    ("logement des jeunnes", "logement des jeunes"),
    ("jardim OU turinn", "jardin OU turin"),
    ("titre:jardim", "titre:jardin"),
    ("Jardim", "Jardin"),
])
def test_typos_are_corrected_in_the_results_and_flagged(engine, q, expected):
    response = run(engine, q)
    assert response.suggestion is not None
    assert fold(response.suggestion) == fold(expected)
    assert response.corrections and all(fold(typed) != fold(fixed) for typed, fixed in response.corrections)
    fixed = run(engine, response.suggestion)
    assert {hit.id for hit in response.hits} == {hit.id for hit in fixed.hits}
    assert not fixed.corrections


def test_suggestion_keeps_accents_of_the_corpus(engine):
    assert run(engine, "parentalitz").suggestion == "parentalité"
    assert run(engine, "educatoin").suggestion == "éducation"


def test_suggestion_when_relaxed(engine):
    response = run(engine, "jardim turin")
    assert response.relaxed and response.total == 2
    assert response.suggestion == "jardin turin"


@pytest.mark.parametrize("q", ["parentalitée", "Parentalite", "éducation", "education", "esthéticiène",
                               "estheticienne", "ESTHÉTICIENNE"])
def test_accents_and_inflections_need_no_suggestion(engine, q):
    response = run(engine, q)
    assert response.total > 0 and response.suggestion is None


def test_no_suggestion_when_enough_results(engine):
    assert run(engine, "parentalite").suggestion is None
    assert run(engine, "enfants").suggestion is None


@pytest.mark.parametrize("q", ["titre:", "titre:jardin", "mots-clés:santé", "résumé:turin", "AND", "OR",
                               "NOT", "-", "jardin -xyzt", "record:x", "motscles:zzz"])
def test_field_names_and_operators_are_never_corrected(engine, q):
    suggestion = run(engine, q).suggestion
    if suggestion is not None:
        for name in re.findall(r"([^\W\d_][\w-]*):", q):
            assert f"{name}:" in suggestion
        assert "tire:" not in suggestion


def test_excluded_word_is_not_corrected(engine):
    assert run(engine, "turin -jardim").suggestion is None


def test_suggestion_respects_filters(engine):
    response = run(engine, "jardim", filters={"department": ["Somme"]})
    assert response.total == 0 and response.suggestion is None


def test_a_typo_is_corrected_instead_of_forcing_partial_matches(engine):
    response = engine.search(SearchRequest.make("jardn partagé"))
    assert response.relaxed is False and response.total == 1
    assert response.hits[0].title.startswith("Jardin partagé")
    assert response.corrections == (("jardn", "jardin"),)
    assert response.suggestion == "jardin partagé"


@pytest.mark.parametrize("q", ["aide aux devoirs", "jardin", "santé", "CAF", "2015"])
def test_correct_words_and_acronyms_are_never_corrected(engine, q):
    response = run(engine, q)
    assert response.corrections == () and response.suggestion is None


def test_short_words_are_not_corrected(engine):
    assert run(engine, "jarn").corrections == ()


def test_overlong_words_are_never_corrected(engine):
    from search_app.spelling import MAX_CORRECTED_CHARS, corrected_query

    searcher = engine.snapshot().searcher()
    assert corrected_query(searcher, "jardinn") == "jardin"
    assert corrected_query(searcher, "jardinn" + "x" * MAX_CORRECTED_CHARS) is None
    assert corrected_query(searcher, "p" + "qwertyuiop" * 999) is None
