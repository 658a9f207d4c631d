"""Ranking-quality metrics of the relevance benchmark: pure functions over graded rankings, no engine, no I/O.

A ranking is the list of hit titles an engine returned, best first; judgments
map titles to grades 0–3 (3 exactly what is sought, 2 clearly relevant, 1
partly relevant, 0 judged not relevant; an unjudged title counts as 0).
Titles are compared after case, accent and space folding. A judged title
earns its grade once: a second hit with the same title (an exact duplicate
fiche) earns 0, so no ranking scores above the ideal one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence

from unidecode import unidecode

RELEVANT = 2
PARTLY = 1
_SPACES = re.compile(r"\s+")


def fold_title(title: str) -> str:
    """A title as compared with the judgments: accents and case folded, runs of spaces made one."""
    return _SPACES.sub(" ", unidecode(title).lower()).strip()


def folded_judgments(judgments: Mapping[str, int]) -> dict[str, int]:
    return {fold_title(title): grade for title, grade in judgments.items()}


def ranked_grades(titles: Sequence[str], judgments: Mapping[str, int]) -> list[int]:
    """The grade of each hit, in rank order (unjudged and repeated titles count 0)."""
    folded = folded_judgments(judgments)
    seen: set[str] = set()
    grades = []
    for title in titles:
        key = fold_title(title)
        grades.append(0 if key in seen else folded.get(key, 0))
        seen.add(key)
    return grades


def present_grades(judgments: Mapping[str, int], indexed_titles: Iterable[str]) -> list[int]:
    """The judged grades of the fiches present in the index (the ideal ranking is drawn from them)."""
    present = {fold_title(title) for title in indexed_titles}
    return [grade for title, grade in folded_judgments(judgments).items() if title in present]


def dcg(grades: Sequence[int], k: int = 10) -> float:
    """Discounted cumulative gain with gain 2^g − 1 and discount log2(rank + 1)."""
    return sum((2 ** grade - 1) / math.log2(rank + 2) for rank, grade in enumerate(grades[:k]))


def ndcg(grades: Sequence[int], ideal: Sequence[int], k: int = 10) -> float:
    """DCG@k of the ranking over DCG@k of the ideal ranking (the judged grades, best first); 0 if nothing is relevant."""
    best = dcg(sorted(ideal, reverse=True), k)
    return dcg(grades, k) / best if best > 0 else 0.0


def reciprocal_rank(grades: Sequence[int], threshold: int = RELEVANT) -> float:
    """1 / rank of the first hit graded ≥ threshold, 0 if there is none."""
    return next((1.0 / (rank + 1) for rank, grade in enumerate(grades) if grade >= threshold), 0.0)


def recall(grades: Sequence[int], ideal: Sequence[int], k: int = 10, threshold: int = PARTLY) -> float:
    """Share of the present fiches graded ≥ threshold found in the top k (0 if there are none to find)."""
    wanted = sum(1 for grade in ideal if grade >= threshold)
    found = sum(1 for grade in grades[:k] if grade >= threshold)
    return min(1.0, found / wanted) if wanted else 0.0


def success_at_1(grades: Sequence[int], threshold: int = RELEVANT) -> float:
    return 1.0 if grades and grades[0] >= threshold else 0.0


def query_metrics(grades: Sequence[int], ideal: Sequence[int], total: int, k: int = 10) -> dict[str, float]:
    """Every metric of one query: nDCG@k, reciprocal rank, Recall@k, success@1, and whether nothing was found."""
    return {"ndcg": ndcg(grades, ideal, k), "mrr": reciprocal_rank(grades), "recall": recall(grades, ideal, k),
            "success1": success_at_1(grades), "zero": 1.0 if total == 0 else 0.0}


def mean_metrics(per_query: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """The mean of each metric over queries (an empty list gives no figures)."""
    if not per_query:
        return {}
    return {name: sum(q[name] for q in per_query) / len(per_query) for name in per_query[0]}
