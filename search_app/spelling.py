"""Spelling: typo tolerance in the results, and "Vouliez-vous dire …".

Typo tolerance follows Meilisearch's rules: words under 5 letters are never
corrected, 5 to 8 letters allow one typo, 9 and more two; the first letter
must be right (a typo there counts double); acronyms and numbers are never
corrected. Only words the index does not know are corrected, to the most
frequent close word, and the corrected words weigh less than exact ones.
The cost is bounded: a word longer than MAX_CORRECTED_CHARS or beyond the
first MAX_CORRECTED_WORDS unknown words is left as it is.

The engine decides whether a "Vouliez-vous dire" is worth offering (it must
find more); this module only proposes it.
"""

from __future__ import annotations

import re
from collections import Counter

from whoosh import query as wq

from dataclasses import replace

from indexer.analysis import STOP_WORDS, analyze, fold, spelling_words

from .query import correctable_words, leaf_terms
from .ranking import Plan, Unit
from .snapshot import stored_record

SUGGEST_BELOW = 3
CORRECTION_WEIGHT = 0.7
"""A corrected word's weight, against 1 for a word found as typed."""
MAX_CORRECTED_CHARS = 24
MAX_CORRECTED_WORDS = 8


def allowed_typos(word: str) -> int:
    """Meilisearch's budget: none under 5 letters, 1 from 5, 2 from 9; none for numbers and acronyms."""
    if not word.isalpha() or len(word) > MAX_CORRECTED_CHARS or word in STOP_WORDS:
        return 0
    return 0 if len(word) < 5 else 1 if len(word) < 9 else 2


def closest_word(searcher, folded: str) -> str | None:
    """The most frequent vocabulary word within the typo budget (fewest typos first), or None."""
    for distance in range(1, allowed_typos(folded) + 1):
        candidates = [word.decode() if isinstance(word, bytes) else word
                      for word in searcher.reader().terms_within("spell", folded, distance, prefix=1)]
        candidates = [word for word in candidates if word != folded]
        if candidates:
            return max(candidates, key=lambda word: (searcher.doc_frequency("spell", word), word))
    return None


def unknown_words(searcher, text: str):
    """(start, end, typed word, closest known word) of the correctable words the index does not know.

    Bounded: the first MAX_CORRECTED_WORDS corrections among the first 64 words.
    """
    found = 0
    for start, end, word in correctable_words(text)[:64]:
        if found >= MAX_CORRECTED_WORDS:
            break
        folded = spelling_words(word)
        if len(folded) != 1 or word.isupper() or searcher.doc_frequency("spell", folded[0]) > 0:
            continue
        corrected = closest_word(searcher, folded[0])
        if corrected:
            found += 1
            yield start, end, word, corrected


def corrected_plan(plan: Plan, searcher, text: str) -> tuple[Plan, list[tuple[str, str]]]:
    """(plan, corrections): units of unknown typed words widened to their closest known word."""
    corrections: list[tuple[str, str]] = []
    units = list(plan.units)
    for _, _, word, corrected in unknown_words(searcher, text):
        stems = analyze(word)
        corrected_stems = analyze(corrected)
        if len(stems) != 1 or len(corrected_stems) != 1 or corrected_stems == stems:
            continue
        changed = [_with_correction(unit, stems[0], corrected_stems[0]) for unit in units]
        if changed != units:
            units = changed
            corrections.append((word, surface_form(searcher, corrected, word)))
    return replace(plan, units=tuple(units)), corrections


def _with_correction(unit: Unit, typed: str, corrected: str) -> Unit:
    """The unit with every term `typed` also searched as `corrected` (same field, less weight)."""

    def widen(node: wq.Query) -> wq.Query:
        if isinstance(node, wq.Term) and node.text == typed:
            return wq.Or([node, wq.Term(node.fieldname, corrected, boost=node.boost * CORRECTION_WEIGHT)])
        if isinstance(node, wq.Phrase) and typed in node.words:
            words = [corrected if word == typed else word for word in node.words]
            return wq.Or([node, wq.Phrase(node.fieldname, words, boost=node.boost * CORRECTION_WEIGHT)])
        return node

    if typed not in {text for _, text in leaf_terms(unit.query, positive_only=False)}:
        return unit
    term = corrected if unit.term == typed else unit.term
    return replace(unit, query=unit.query.accept(widen), term=term)


def corrected_query(searcher, text: str) -> str | None:
    """The query with its unknown words replaced by close index words; None if none is.

    Field names, operators and excluded words are never corrected.
    """
    replacements = [(start, end, surface_form(searcher, corrected, word))
                    for start, end, word, corrected in unknown_words(searcher, text)]
    if not replacements:
        return None
    corrected = text
    for start, end, replacement in reversed(replacements):
        corrected = corrected[:start] + replacement + corrected[end:]
    return corrected


def surface_form(searcher, folded: str, typed: str) -> str:
    """The corpus spelling of a folded vocabulary word (`parentalite` → `parentalité`)."""
    docnum = searcher.document_number(spell=folded)
    forms: Counter = Counter()
    if docnum is not None:
        record = stored_record(searcher.stored_fields(docnum))
        for value in record.values():
            for text in (value if isinstance(value, list) else [value]):
                if isinstance(text, str):
                    forms.update(w.lower() for w in re.findall(r"[^\W_]+", text) if fold(w) == folded)
    form = forms.most_common(1)[0][0] if forms else folded
    return form[:1].upper() + form[1:] if typed[:1].isupper() else form
