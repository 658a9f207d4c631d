"""Graded matching: documents with all the query's words first, then progressively fewer.

A query is split into units (a word, a quoted phrase, a parenthesised group,
a word with its synonyms or corrections) and exclusions. Every unit is
evaluated once; a document's coverage is the share of the units it matches,
weighted by how rare each unit is. The match set is the documents matching
every unit when there are enough of them to fill a page; otherwise units may
be missing, one more at a time until a page is filled, the fullest matches
first (scores weighted by coverage). Exclusions
are never relaxed. Question and filler words ("comment", "je cherche") are
optional: they add to the score but are never required.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from whoosh import query as wq

from .matching import Evaluation

FILL = 10
"""A page's worth: fewer documents with all the units lets partial matches in."""
COVERAGE_POWER = 3.0
"""Partial matches' scores are multiplied by their coverage to this power: fuller matches come first."""



@dataclass(frozen=True)
class Unit:
    query: wq.Query
    optional: bool = False
    term: str | None = None
    """The one index term the unit stands for (a word; its correction once corrected), else None."""


@dataclass(frozen=True)
class Plan:
    units: tuple[Unit, ...]
    exclusions: tuple[wq.Query, ...]

    @property
    def required(self) -> tuple[Unit, ...]:
        return tuple(unit for unit in self.units if not unit.optional)

    def query(self) -> wq.Query:
        """The plan as one query tree (what snippets mark and suggestions re-check)."""
        parts = [unit.query for unit in self.units] + [wq.Not(q) for q in self.exclusions]
        return parts[0] if len(parts) == 1 else wq.And(parts)


def split_plan(q: wq.Query, is_optional, term_of) -> Plan:
    """The units and exclusions of a parsed query's top level.

    `is_optional(unit_query)` tells the filler words, `term_of(unit_query)` the
    one term a unit searches (None for a phrase or a group). A top-level Or (`jardin
    OR potager`) is one unit; so is anything else that is not an And.
    """
    children = list(q.subqueries) if isinstance(q, wq.And) else [q]
    exclusions = tuple(child.query for child in children if isinstance(child, wq.Not))
    positives = [child for child in children if not isinstance(child, wq.Not)]
    units = tuple(Unit(child, bool(is_optional(child)), term_of(child)) for child in positives)
    if units and all(unit.optional for unit in units):
        units = tuple(replace(unit, optional=False) for unit in units)
    return Plan(units, exclusions)


def graded_evaluation(evaluate, plan: Plan, live: np.ndarray, filter_mask: np.ndarray) -> tuple[Evaluation, bool]:
    """(evaluation, relaxed): the match mask, scores and coverage tiers of a plan.

    `evaluate(q)` evaluates one query tree. Relaxed is true when documents
    missing some required unit are in the match set.
    """
    n = len(live)
    excluded = np.zeros(n, dtype=bool)
    for exclusion in plan.exclusions:
        excluded |= evaluate(exclusion).mask
    allowed = live & ~excluded
    if not plan.units:
        return Evaluation(allowed, np.zeros(n, dtype=np.float32)), False
    scores = np.zeros(n, dtype=np.float32)
    count = np.zeros(n, dtype=np.int16)
    weighted = np.zeros(n, dtype=np.float32)
    total_weight, required, missing = 0.0, 0, 0
    live_count = max(1, int(live.sum()))
    for unit in plan.units:
        part = evaluate(unit.query)
        scores += np.where(part.mask, part.scores, 0)
        if unit.optional:
            continue
        df = int(np.count_nonzero(part.mask & allowed))
        if not df:
            missing += 1
            continue
        weight = math.log(1 + live_count / (df + 1))
        total_weight += weight
        required += 1
        count += part.mask
        weighted += part.mask * np.float32(weight)
    if not required:
        return Evaluation(np.zeros(n, dtype=bool), scores), False
    level = _level(count, required, allowed & filter_mask)
    mask = allowed & (count >= level)
    partial = level < required and bool((mask & filter_mask & (count < required)).any())
    if partial or missing:
        coverage = weighted / np.float32(total_weight)
        return Evaluation(mask, _tiered(scores * coverage ** COVERAGE_POWER, count, mask)), True
    return Evaluation(mask, scores), False


def _tiered(scores: np.ndarray, count: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Scores in [k, k + 1) for documents matching k units: more units always rank higher."""
    top = float(scores[mask].max()) if mask.any() else 0.0
    return (count + scores / np.float32(top + 1e-6)).astype(np.float32)


def _level(count: np.ndarray, required: int, candidates: np.ndarray) -> int:
    """The number of required units a document must match: all of them unless too few do."""
    tallies = np.bincount(count[candidates], minlength=required + 1)
    found = 0
    for level in range(required, 1, -1):
        found += int(tallies[level])
        if found >= FILL:
            return level
    return 1
