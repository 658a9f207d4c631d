"""Synonyms and acronym long forms: a query's words widened to the sector's equivalent expressions.

The vocabulary files (`indexer/vocabulary/`) give groups of equivalent
expressions; each is analysed like the index (stems, acronym terms), so
"personnes âgées", "personne agee" and "Personnes Âgées" are one expression.
A run of consecutive query words that spells an expression becomes one unit:
the words as typed, or any equivalent expression, which weighs less. A
multi-word equivalent must appear as a phrase.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

from whoosh import query as wq

from indexer.analysis import analyze
from indexer.schema import TEXT_FIELD_BOOSTS
from indexer.vocabulary import load_acronyms, load_synonyms

from .query import leaf_terms
from .ranking import Plan, Unit

EXPANSION_WEIGHT = 0.6
"""An equivalent expression's weight, against 1 for the words typed."""
MAX_EXPRESSION_WORDS = 6


@dataclass(frozen=True)
class Alternative:
    terms: tuple[str, ...]
    label: str


class Vocabulary:
    """Expressions (as term tuples) → their alternatives, from the synonym and acronym files."""

    def __init__(self) -> None:
        self.alternatives: dict[tuple[str, ...], list[Alternative]] = {}
        for rule in load_synonyms():
            if rule.targets:
                self._add_rule(rule.expressions, rule.targets)
            else:
                self._add_rule(rule.expressions, rule.expressions)
        for acronym, forms in load_acronyms().expansions.items():
            self._add_rule((acronym, *forms), (acronym, *forms))

    def _add_rule(self, sources: tuple[str, ...], targets: tuple[str, ...]) -> None:
        analysed = [(tuple(analyze(text)), text) for text in targets]
        for source in sources:
            key = tuple(analyze(source))
            if not key or len(key) > MAX_EXPRESSION_WORDS:
                continue
            known = self.alternatives.setdefault(key, [])
            for terms, label in analysed:
                if terms and terms != key and all(terms != alt.terms for alt in known):
                    known.append(Alternative(terms, label))

    def longest_match(self, stems: list[str | None], start: int) -> tuple[int, list[Alternative]]:
        """(length, alternatives) of the longest expression starting at `start`; (0, []) if none."""
        for length in range(min(MAX_EXPRESSION_WORDS, len(stems) - start), 0, -1):
            span = stems[start:start + length]
            if None in span:
                continue
            found = self.alternatives.get(tuple(span))
            if found:
                return length, found
        return 0, []


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    return Vocabulary()


def single_term(q: wq.Query) -> str | None:
    """The single index term a query unit searches (one word in any fields), else None."""
    if isinstance(q, wq.Phrase):
        return None
    texts = {text for _, text in leaf_terms(q, positive_only=False)}
    return next(iter(texts)) if len(texts) == 1 else None


def expanded_plan(plan: Plan, vocab: Vocabulary | None = None) -> tuple[Plan, list[str]]:
    """(plan, labels): runs of words that spell a known expression widened to its equivalents."""
    vocab = vocab or vocabulary()
    stems = [unit.term for unit in plan.units]
    units: list[Unit] = []
    labels: list[str] = []
    i = 0
    while i < len(plan.units):
        length, alternatives = vocab.longest_match(stems, i)
        if not length:
            units.append(plan.units[i])
            i += 1
            continue
        span = plan.units[i:i + length]
        typed = span[0].query if length == 1 else wq.And([unit.query for unit in span])
        widened = [alternative_query(alt.terms, EXPANSION_WEIGHT) for alt in alternatives]
        units.append(Unit(wq.Or([typed, *widened]), optional=all(unit.optional for unit in span),
                          term=span[0].term if length == 1 else None))
        labels += [alt.label for alt in alternatives if alt.label not in labels]
        i += length
    return replace(plan, units=tuple(units)), labels


def alternative_query(terms: tuple[str, ...], weight: float) -> wq.Query:
    """An expression in any text field: a word, or a phrase of several."""
    if len(terms) == 1:
        return wq.Or([wq.Term(name, terms[0], boost=boost * weight) for name, boost in TEXT_FIELD_BOOSTS.items()])
    return wq.Or([wq.Phrase(name, list(terms), boost=boost * weight) for name, boost in TEXT_FIELD_BOOSTS.items()])
