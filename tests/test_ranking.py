"""Graded matching: all words first, then fewer to fill a page; questions; exclusions."""

from __future__ import annotations

import numpy as np
import pytest
from whoosh import query as wq

from indexer.build import build_index
from indexer.fiche import Fiche
from search_app.engine import SearchEngine
from search_app.matching import Evaluation
from search_app.ranking import FILL, Plan, Unit, graded_evaluation
from search_app.results import SearchRequest


def masks(*rows: str) -> dict[str, np.ndarray]:
    return {name: np.array([c == "1" for c in row]) for name, row in zip("abc", rows)}


def evaluator(parts: dict[str, np.ndarray]):
    def evaluate(q):
        mask = parts[q.text]
        return Evaluation(mask.copy(), mask.astype(np.float32))
    return evaluate


def plan(*names: str, exclude: tuple[str, ...] = (), optional: tuple[str, ...] = ()) -> Plan:
    return Plan(tuple(Unit(wq.Term("body", n), n in optional, n) for n in names),
                tuple(wq.Term("body", n) for n in exclude))


def test_all_units_required_when_enough_documents_have_them():
    n = FILL + 5
    parts = {"a": np.ones(n, bool), "b": np.array([i < FILL for i in range(n)])}
    evaluation, relaxed = graded_evaluation(evaluator(parts), plan("a", "b"), np.ones(n, bool), np.ones(n, bool))
    assert not relaxed and evaluation.mask.sum() == FILL


def test_partial_matches_fill_the_page_after_full_ones():
    parts = masks("1100", "1010")
    evaluation, relaxed = graded_evaluation(evaluator(parts), plan("a", "b"), np.ones(4, bool), np.ones(4, bool))
    assert relaxed
    assert evaluation.mask.tolist() == [True, True, True, False]
    assert evaluation.scores[0] > max(evaluation.scores[1], evaluation.scores[2])


def test_exclusions_are_never_relaxed():
    parts = masks("1111", "0001", "0110")
    evaluation, _ = graded_evaluation(evaluator(parts), plan("a", "b", exclude=("c",)),
                                      np.ones(4, bool), np.ones(4, bool))
    assert evaluation.mask.tolist() == [True, False, False, True]


def test_optional_units_add_score_but_are_not_required():
    parts = masks("1110", "0100")
    evaluation, relaxed = graded_evaluation(evaluator(parts), plan("a", "b", optional=("b",)),
                                            np.ones(4, bool), np.ones(4, bool))
    assert not relaxed and evaluation.mask.tolist() == [True, True, True, False]
    assert evaluation.scores[1] > evaluation.scores[0]


def test_units_matching_nothing_do_not_empty_the_results():
    parts = masks("1100", "0000")
    evaluation, relaxed = graded_evaluation(evaluator(parts), plan("a", "b"), np.ones(4, bool), np.ones(4, bool))
    assert relaxed and evaluation.mask.tolist() == [True, True, False, False]


QUESTION_FICHES = [
    Fiche(id="bafa-0000001", title="BAFA citoyen", summary="Une formation BAFA financée pour les jeunes du quartier."),
    Fiche(id="jeunes-00002", title="Local jeunes", summary="Accueil des jeunes du quartier le soir."),
    Fiche(id="fete-0000003", title="Fête de quartier", summary="Les habitants du quartier font la fête."),
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> SearchEngine:
    root = tmp_path_factory.mktemp("ranking")
    build_index(QUESTION_FICHES, root)
    return SearchEngine(root, cache_size=0)


def test_a_question_finds_its_theme(engine):
    response = engine.search(SearchRequest.make("comment financer le BAFA pour les jeunes du quartier ?"))
    assert response.hits[0].id == "bafa-0000001"
    assert response.total == 3


def test_question_words_are_not_required(engine):
    response = engine.search(SearchRequest.make("je cherche des idées pour les jeunes"))
    assert {hit.id for hit in response.hits} == {"bafa-0000001", "jeunes-00002"}
    assert not response.relaxed


def test_scores_follow_the_order_of_partial_matches(engine):
    hits = engine.search(SearchRequest.make("BAFA quartier fête")).hits
    scores = [hit.score for hit in hits]
    assert scores == sorted(scores, reverse=True)
