"""Ranking: expected first results on the sample corpus, and field/coordination weights."""

from __future__ import annotations

import pytest

from indexer.build import build_index
from indexer.fiche import Fiche
from search_app.engine import SearchEngine
from search_app.results import SearchRequest

FIRST_RESULTS = [
    ("jardin", "Jardin partagé: un outil de lien social et de participation citoyenne"),
    ("esthéticienne", "Bulle détente : socio-esthétique - action d'insertion"),
    ("Turin", "Sortie Turin"),
    ("logement des jeunes", "Résidence Jeunes"),
    ('"porteur de paroles"', "rencontrer des familles"),
]
SIMILAR_TO_ATELIERS = {"atelier parents enfants", "ACCUEIL PARENTS ENFANTS 0-3ANS"}
FILLER = ("Les habitants du quartier se retrouvent chaque semaine au centre social pour échanger, "
          "préparer des repas, organiser des sorties culturelles et accueillir les nouveaux arrivants. ")


@pytest.fixture(scope="module")
def engine(sample_index) -> SearchEngine:
    return SearchEngine(sample_index)


def ranked_ids(engine: SearchEngine, q: str) -> list[str]:
    return [hit.id for hit in engine.search(SearchRequest.make(q, per_page=50)).hits]


@pytest.mark.parametrize("q, expected", FIRST_RESULTS)
def test_expected_first_result(engine, q, expected):
    hits = engine.search(SearchRequest.make(q)).hits
    assert hits and hits[0].title == expected


@pytest.mark.parametrize("q, expected", FIRST_RESULTS)
def test_expected_first_result_over_http(client, q, expected):
    data = client.get("/api/search", query_string={"q": q}).get_json()
    assert data["hits"][0]["title"] == expected


@pytest.mark.parametrize("q", ["jardin", "Turin", "logement des jeunes"])
def test_the_expected_action_is_also_first_with_matching_filters(engine, q):
    expected = dict(FIRST_RESULTS)[q]
    unfiltered = engine.search(SearchRequest.make(q)).hits[0]
    filtered = engine.search(SearchRequest.make(q, {"department": [unfiltered.department]})).hits
    assert filtered[0].title == expected


@pytest.mark.parametrize("variants", [
    ("parentalité", "parentalite", "PARENTALITÉ", "Parentalite"),
    ("éducation", "education", "Éducation", "EDUCATION"),
    ("esthéticienne", "estheticienne"),
    ("résidence jeunes", "residence jeunes"),
    ("santé", "sante"),
])
def test_accents_and_case_do_not_change_the_ranking(engine, variants):
    rankings = [ranked_ids(engine, q) for q in variants]
    assert rankings[0]
    assert all(ranking == rankings[0] for ranking in rankings)


def test_similar_to_ateliers_parents_enfants(engine, sample_fiches):
    fiche = next(f for f in sample_fiches if f.title == "Ateliers Parents-enfants")
    hits = engine.similar_to_fiche(fiche.id, limit=5)
    assert hits[0].title in SIMILAR_TO_ATELIERS
    assert fiche.id not in {hit.id for hit in hits}


def _engine_for(tmp_path, fiches: list[Fiche]) -> SearchEngine:
    build_index(fiches, tmp_path)
    return SearchEngine(tmp_path)


def test_word_in_title_outranks_same_word_in_a_long_section(tmp_path):
    titled = Fiche(id="titre-00000001", title="Potager des familles", summary="Un lieu de rencontre.",
                   experience=FILLER * 3)
    long_section = Fiche(id="section-00000002", title="Animation de quartier", summary="Des rencontres.",
                         experience=FILLER * 12 + "Un potager a été créé. " + FILLER * 12)
    engine = _engine_for(tmp_path, [long_section, titled])
    response = engine.search(SearchRequest.make("potager"))
    assert [hit.id for hit in response.hits] == [titled.id, long_section.id]
    assert response.hits[0].score > response.hits[1].score


def test_matching_all_words_outranks_matching_some_when_relaxed(tmp_path):
    both = Fiche(id="both-00000001", title="Animation estivale",
                 experience=FILLER * 8 + "Un potager et des ateliers vélo pour les enfants. " + FILLER * 8)
    one_strongly = Fiche(id="one-00000002", title="Potager potager", summary="Le potager, un potager partagé.",
                         keywords=["Potager"], experience="Le potager du quartier. " * 5)
    other = Fiche(id="other-00000003", title="Réparation de vélo", summary="Atelier vélo.")
    engine = _engine_for(tmp_path, [one_strongly, other, both])
    response = engine.search(SearchRequest.make("potager vélo zzyzzx"))
    assert response.relaxed is True
    assert [hit.id for hit in response.hits][0] == both.id
    assert {hit.id for hit in response.hits} == {both.id, one_strongly.id, other.id}
    scores_by_words = [hit.score for hit in response.hits[1:]]
    assert scores_by_words == sorted(scores_by_words, reverse=True)
    paged = [engine.search(SearchRequest.make("potager vélo zzyzzx", page=p, per_page=1)).hits[0].id
             for p in (1, 2, 3)]
    assert paged == [hit.id for hit in response.hits]


def test_strict_query_ranks_title_matches_first(engine):
    hits = engine.search(SearchRequest.make("parents enfants")).hits
    top = {hit.title for hit in hits[:3]}
    assert top == {"atelier parents enfants", "Ateliers Parents-enfants", "ACCUEIL PARENTS ENFANTS 0-3ANS"}
