"""The matching step of a search: request → planned query → evaluated, graded match set.

Shared by the ranked search and by exports and statistics, so that both
always see the same documents. No ranking of a page, no snippets here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from whoosh import query as wq

from indexer.schema import PUBLIC_FACETS

from .expansion import expanded_plan, single_term
from .matching import Evaluation
from .query import is_filler, is_paragraph, normalize_fields, query_words, unshouted
from .ranking import graded_evaluation, split_plan
from .results import SearchRequest
from .semantic import MEANING_FILL, blended_evaluation, fused_evaluation, text_weight
from .similar import key_terms, similarity_query
from .snapshot import Snapshot
from .spelling import corrected_plan


@dataclass
class Match:
    q: wq.Query | None
    """The query as evaluated (None: browsing every document)."""
    evaluation: Evaluation
    filters: dict[str, tuple[str, ...]]
    filter_mask: np.ndarray
    similarity: bool = False
    relaxed: bool = False
    expansions: list[str] = field(default_factory=list)
    corrections: list[tuple[str, str]] = field(default_factory=list)

    range_mask: np.ndarray | None = None
    """Documents within the request's number ranges (budget, participants), None without ranges."""

    @property
    def selected(self) -> np.ndarray:
        return self.evaluation.mask & self.filter_mask

    @property
    def counted_mask(self) -> np.ndarray:
        """The matches facets are counted over: the query's, within the ranges (facet filters apply per facet)."""
        return self.evaluation.mask if self.range_mask is None else self.evaluation.mask & self.range_mask


def match(snapshot: Snapshot, request: SearchRequest) -> Match:
    """Every document matching a request, with its scores and how the query was understood."""
    filters = {name: values for name, values in request.filters if name in PUBLIC_FACETS}
    filter_mask = snapshot.facets.filter_mask(filters)
    range_mask = snapshot.numbers.mask(request.ranges)
    if range_mask is not None:
        filter_mask &= range_mask
    return _matched(snapshot, request, filters, filter_mask, range_mask)


def _matched(snapshot: Snapshot, request: SearchRequest, filters: dict[str, tuple[str, ...]],
             filter_mask: np.ndarray, range_mask: np.ndarray | None) -> Match:
    text = normalize_fields(unshouted(request.query))
    if not query_words(text):
        return Match(None, snapshot.evaluate(None), filters, filter_mask, range_mask=range_mask)
    if is_paragraph(text):
        q = similarity_query(key_terms(text, snapshot.searcher()))
        evaluation = fused_evaluation(snapshot.evaluate(q), snapshot.similarities(text), snapshot.stats.live,
                                      text_weight(text))
        return Match(q, evaluation, filters, filter_mask, similarity=True, range_mask=range_mask)
    q = snapshot.parser.parse(text, relaxed=False)
    if q is wq.NullQuery:
        return Match(None, snapshot.evaluate(None), filters, filter_mask, range_mask=range_mask)
    plan, corrections = corrected_plan(split_plan(q, is_filler, single_term), snapshot.searcher(), text)
    plan, expansions = expanded_plan(plan)
    evaluation, relaxed = graded_evaluation(snapshot.evaluate, plan, snapshot.facets.live, filter_mask)
    if relaxed and _wants_meaning(plan):
        evaluation = blended_evaluation(evaluation, snapshot.similarities(request.query), snapshot.stats.live,
                                        filter_mask, extra=MEANING_FILL)
    return Match(plan.query(), evaluation, filters, filter_mask, relaxed=relaxed,
                 expansions=expansions, corrections=corrections, range_mask=range_mask)


def _wants_meaning(plan) -> bool:
    """Whether a partly matched query's meaning is worth weighing: not when it only names acronyms.

    Meaning is weighed only for partial matches (`relaxed`): when enough fiches
    hold all the words, the words decide, and no query embedding is paid for
    (dev set: 0.90 nDCG@10 this way, 0.89 weighing meaning for every query).
    """
    terms = [unit.term for unit in plan.required]
    return not (terms and all(term and term.isupper() for term in terms))
