"""The relevance benchmark's metrics on tiny hand-made rankings, with values computed by hand."""

from __future__ import annotations

import math

import pytest

from benchmarks.relevance_metrics import (
    dcg, fold_title, mean_metrics, ndcg, present_grades, query_metrics, ranked_grades, recall, reciprocal_rank,
    success_at_1,
)


def test_a_perfect_ranking_scores_one_on_every_metric():
    ideal = [3, 2, 1, 0]
    metrics = query_metrics([3, 2, 1], ideal, total=3)
    assert metrics == {"ndcg": pytest.approx(1.0), "mrr": 1.0, "recall": 1.0, "success1": 1.0, "zero": 0.0}


def test_dcg_uses_exponential_gain_and_log2_discount():
    # (2^3 - 1)/log2(2) + (2^0 - 1)/log2(3) + (2^2 - 1)/log2(4) = 7 + 0 + 3/2
    assert dcg([3, 0, 2]) == pytest.approx(8.5)
    assert dcg([3, 0, 2], k=1) == pytest.approx(7.0)


def test_ndcg_of_known_rankings():
    # The only relevant fiche second: (7 / log2 3) / 7.
    assert ndcg([0, 3], [3]) == pytest.approx(1 / math.log2(3))
    # Grades 1 then 3 against the ideal 3 then 1: (1 + 7/log2 3) / (7 + 1/log2 3).
    assert ndcg([1, 3], [3, 1]) == pytest.approx((1 + 7 / math.log2(3)) / (7 + 1 / math.log2(3)))
    assert ndcg([1, 3], [3, 1]) == pytest.approx(0.70981, abs=1e-5)
    # The ideal is drawn from the judged grades, whatever their order; only the first k ranks count.
    assert ndcg([0] * 10 + [3], [0, 3]) == 0.0
    assert ndcg([], [3, 2]) == 0.0
    assert ndcg([0, 0], [0, 0]) == 0.0


def test_reciprocal_rank_counts_the_first_hit_graded_two_or_more():
    assert reciprocal_rank([0, 1, 2, 3]) == pytest.approx(1 / 3)
    assert reciprocal_rank([3]) == 1.0
    assert reciprocal_rank([1, 1, 0]) == 0.0
    assert reciprocal_rank([]) == 0.0


def test_recall_is_the_share_of_partly_relevant_fiches_in_the_top_k():
    assert recall([1, 0, 3], [3, 1, 1, 0]) == pytest.approx(2 / 3)
    assert recall([0, 1], [1, 1], k=1) == 0.0
    assert recall([0, 0], [0, 0]) == 0.0


def test_success_at_one_looks_at_the_top_hit_only():
    assert success_at_1([2, 0]) == 1.0
    assert success_at_1([1, 3]) == 0.0
    assert success_at_1([]) == 0.0


def test_titles_match_after_case_accent_and_space_folding_and_earn_their_grade_once():
    judgments = {"Café des  Parents": 3, "Jardin partagé": 1, "Hors sujet": 0}
    titles = ["CAFE DES PARENTS", "café   des parents", "Inconnu", "jardin Partage ", "Hors sujet"]
    assert ranked_grades(titles, judgments) == [3, 0, 0, 1, 0]
    assert fold_title("  Éte\u00a0à  l'ÉCOLE ") == "ete a l'ecole"


def test_the_ideal_only_holds_judged_fiches_present_in_the_index():
    judgments = {"Café des parents": 3, "Fiche absente": 3, "Jardin partagé": 1}
    assert sorted(present_grades(judgments, ["CAFE DES PARENTS", "Jardin Partagé", "Autre"])) == [1, 3]


def test_zero_results_are_flagged_and_means_are_per_metric():
    empty = query_metrics([], [3], total=0)
    assert empty == {"ndcg": 0.0, "mrr": 0.0, "recall": 0.0, "success1": 0.0, "zero": 1.0}
    found = query_metrics([0, 3], [3], total=2)
    assert mean_metrics([empty, found]) == {"ndcg": pytest.approx(0.5 / math.log2(3)), "mrr": 0.25,
                                            "recall": 0.5, "success1": 0.0, "zero": 0.5}
    assert mean_metrics([]) == {}
