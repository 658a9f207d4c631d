"""Query language: words, phrases, exclusion, OR, fields, malformed queries."""

from __future__ import annotations


import pytest

from indexer.analysis import analyze, fold
from indexer.schema import TEXT_FIELD_BOOSTS, fiche_document
from indexer.build import build_index
from indexer.fiche import Fiche
from search_app.engine import SearchEngine
from search_app.results import SearchRequest
from tests.conftest import run, titles

TEXT_FIELDS = ("title", "keywords_text", "summary", "meta", "body")
JARDIN = "Jardin partagé: un outil de lien social et de participation citoyenne"


def stems_of(fiche) -> set[str]:
    return set(analyze("\n".join(str(v) for k, v in fiche_document(fiche).items() if k in TEXT_FIELD_BOOSTS)))


def has_phrase(fiche, words: str) -> bool:
    wanted = analyze(words)
    document = fiche_document(fiche)
    for name in TEXT_FIELDS:
        stems = analyze(document[name])
        if any(stems[i:i + len(wanted)] == wanted for i in range(len(stems))):
            return True
    return False


# -- words, phrases, exclusion, OR, fields ---------------------------------------------


def test_documents_with_all_words_come_first_then_partial_matches_fill_the_page(engine, sample_fiches):
    response = run(engine, "parents enfants")
    expected = {f.title for f in sample_fiches if {"parent", "enfant"} <= stems_of(f)}
    anyword = {f.title for f in sample_fiches if {"parent", "enfant"} & stems_of(f)}
    assert len(expected) < 10 and len(expected) < len(anyword)
    assert {hit.title for hit in response.hits[:len(expected)]} == expected
    assert titles(response) == anyword
    assert response.relaxed


def test_all_words_are_required_when_they_fill_a_page(tmp_path):
    both = [Fiche(id=f"both-{i:08d}", title=f"Jardin partagé {i}") for i in range(12)]
    one = [Fiche(id=f"one-{i:08d}", title=f"Jardin familial {i}") for i in range(3)]
    build_index(both + one, tmp_path)
    response = run(SearchEngine(tmp_path), "jardin partagé")
    assert {hit.id for hit in response.hits} == {f.id for f in both}
    assert response.total == 12 and not response.relaxed


def test_no_document_with_all_words_falls_back_to_any_word(engine):
    response = run(engine, "jardin turin")
    assert response.relaxed is True
    assert titles(response) == {JARDIN, "Sortie Turin"}
    assert run(engine, "jardin").relaxed is False


def test_relaxed_fallback_respects_filters(engine):
    response = run(engine, "jardin turin", filters={"department": ["Isère"]})
    assert response.relaxed and titles(response) == {JARDIN}


def test_quoted_phrase(engine, sample_fiches):
    response = run(engine, '"porteur de paroles"')
    assert titles(response) == {"rencontrer des familles"}
    phrase = run(engine, '"parents enfants"')
    expected = {f.title for f in sample_fiches if has_phrase(f, "parents enfants")}
    assert titles(phrase) == expected
    assert len(expected) < run(engine, "parents enfants").total


def test_minus_excludes_a_word(engine, sample_fiches):
    response = run(engine, "parentalité -santé")
    [parentalite], [sante] = analyze("parentalité"), analyze("santé")
    expected = {f.title for f in sample_fiches if parentalite in stems_of(f) and sante not in stems_of(f)}
    assert titles(response) == expected and expected
    assert run(engine, "parentalité NOT santé").total == len(expected)
    assert run(engine, "parentalité SAUF santé").total == len(expected)


def test_exclusion_only_keeps_every_other_action(engine):
    assert titles(run(engine, "-jardin")) == titles(run(engine, "")) - {JARDIN}


def test_hyphen_inside_a_word_is_not_an_exclusion(engine, sample_fiches):
    response = run(engine, "parents-enfants")
    assert response.total > 0
    assert "Ateliers Parents-enfants" in titles(response)
    assert "ACCUEIL PARENTS ENFANTS 0-3ANS" in titles(run(engine, "0-3ans"))


def test_or(engine):
    for q in ("jardin OR turin", "jardin OU turin"):
        response = run(engine, q)
        assert titles(response) == {JARDIN, "Sortie Turin"} and not response.relaxed


def test_field_scoped_word(engine, sample_fiches):
    assert titles(run(engine, "titre:jardin")) == {JARDIN}
    assert not any("estheticienne" in fold(f.title) for f in sample_fiches)
    assert run(engine, "esthéticienne").total == 1
    assert run(engine, "titre:esthéticienne").total == 0
    assert run(engine, "Titre:Jardin").total == 1
    summary = {f.title for f in sample_fiches if "turin" in analyze(f.summary)}
    assert titles(run(engine, "résumé:turin")) == summary == {"Sortie Turin"}


def test_excluded_field_scoped_word(engine):
    assert titles(run(engine, "-titre:jardin")) == titles(run(engine, "")) - {JARDIN}
    assert titles(run(engine, "turin OR jardin -titre:turin")) == {JARDIN}
    assert run(engine, "jardin -titre:turin").total == 1


@pytest.mark.parametrize("field", ["record", "content", "spell", "id", "title_sort", "year_sort", "inconnu"])
def test_internal_or_unknown_fields_are_plain_words(engine, field):
    scoped = run(engine, f"{field}:jardin")
    plain = run(engine, f"{field} jardin")
    assert [h.id for h in scoped.hits] == [h.id for h in plain.hits]
    assert scoped.relaxed == plain.relaxed


def test_id_prefix_does_not_look_up_the_id(engine, sample_fiches):
    fiche = next(f for f in sample_fiches if f.title == "Résidence Jeunes")
    response = run(engine, f"id:{fiche.id}")
    assert response.total == run(engine, f"id {fiche.id}").total


@pytest.mark.parametrize("q", ["titre:", "titre: ", "résumé:", "mots-clés:", "titre:titre:"])
def test_dangling_field_prefix_is_dropped(engine, q):
    response = run(engine, q)
    assert response.total == 14 and response.suggestion is None


def test_dangling_field_prefix_after_words(engine):
    assert titles(run(engine, "jardin titre:")) == {JARDIN}


# -- malformed input -------------------------------------------------------------------------


@pytest.mark.parametrize("q", ['"porteur de', "(jardin", "jardin)", "((", "AND", "OR", "NOT", "-", "+",
                               "titre:", ":", "a:b:c", "\x00\x01", "jar\x00din", "x" * 2000])
def test_malformed_queries_are_answered_by_the_engine(engine, q):
    response = run(engine, q)
    assert response.total >= 0


def test_unbalanced_syntax_falls_back_to_words(engine):
    assert run(engine, '"porteur de paroles').hits[0].title == "rencontrer des familles"
    assert titles(run(engine, "(jardin")) == {JARDIN}
    assert titles(run(engine, "jardin)")) == {JARDIN}


@pytest.mark.parametrize("q", ["AND", "OR", "NOT", "ET", "OU", "SAUF", "-", "+", "- +", "le la les", "*"])
def test_queries_with_nothing_to_search_browse_everything(engine, q):
    assert run(engine, q).total == 14


def test_control_characters_are_spaces(engine):
    assert titles(run(engine, "\x07jardin\x1b")) == {JARDIN}
    assert run(engine, "\u200bjardin\u202e").total == 1


def test_a_pasted_paragraph_is_searched_by_its_key_terms(engine, sample_fiches):
    fiche = next(f for f in sample_fiches if f.title == "Sortie Turin")
    text = fiche.experience[:2000]
    assert "(" in text or ":" in text or '"' in text or "-" in text
    response = run(engine, text)
    assert response.similarity is True
    assert response.hits[0].title == "Sortie Turin"


def test_search_request_normalises_filters():
    a = SearchRequest.make("jardin", {"keyword": ["b", "a", "a"], "year": []})
    b = SearchRequest.make(" jardin ", {"keyword": ["a", "b"]})
    assert a == b and hash(a) == hash(b)


@pytest.mark.parametrize("typed", ["jardin OR", "jardin AND", "AND jardin", "jardin SAUF", "OU jardin ET"])
def test_operators_with_nothing_to_bind_are_ignored(engine, typed):
    expected = [hit.id for hit in engine.search(SearchRequest.make("jardin")).hits]
    assert [hit.id for hit in engine.search(SearchRequest.make(typed)).hits] == expected


def test_a_query_in_capitals_is_read_as_words(engine):
    assert [hit.id for hit in run(engine, "JARDINS PARTAGÉS").hits] == [hit.id for hit in run(engine, "jardins partagés").hits]
    assert run(engine, "JARDIN OR TURIN").total == run(engine, "jardin OR turin").total == 2
