"""Spelling: "Vouliez-vous dire …", unknown query words replaced by close index words.

The engine decides whether a correction is worth offering (it must find more);
this module only proposes it.
"""

from __future__ import annotations

import re
from collections import Counter

from indexer.analysis import STOP_WORDS, fold, spelling_words

from .query import correctable_words
from .snapshot import stored_record

SUGGEST_BELOW = 3
# Bounds on one request's correction work (edit distance is quadratic in the word's length):
# longer words are not words anyone mistyped, and a query corrects at most so many words.
MAX_CORRECTED_CHARS = 40
MAX_CORRECTED_WORDS = 16


def corrected_query(searcher, text: str) -> str | None:
    """The query with its unknown words replaced by close index words; None if none is.

    Field names, operators and excluded words are never corrected.
    """
    corrector = searcher.corrector("spell")
    replacements = []
    for start, end, word in correctable_words(text)[:MAX_CORRECTED_WORDS]:
        if len(word) > MAX_CORRECTED_CHARS:
            continue
        folded = spelling_words(word)
        if len(folded) != 1 or len(folded[0]) < 3 or folded[0] in STOP_WORDS or folded[0].isdigit():
            continue
        if searcher.doc_frequency("spell", folded[0]) > 0:
            continue
        maxdist = 1 if len(folded[0]) <= 4 else 2
        candidates = corrector.suggest(folded[0], limit=1, maxdist=maxdist, prefix=1)
        if candidates:
            replacements.append((start, end, surface_form(searcher, candidates[0], word)))
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
