"""Similarity: the distinctive terms of a text (a fiche, a pasted paragraph) as a ranked query.

"Actions similaires", `/api/similar` and long queries all go through here, so a
page of text costs about what a 25-word query costs.
"""

from __future__ import annotations

import math
from collections import Counter

from whoosh import query as wq

from indexer.analysis import analyze
from indexer.fiche import Fiche
from indexer.schema import TEXT_FIELD_BOOSTS

SIMILARITY_TERMS = 25
SIMILARITY_FIELDS = ("body", "summary", "title")
SIMILARITY_CANDIDATES = 600


def fiche_text(fiche: Fiche) -> str:
    """The text a fiche is compared by: its title counts twice."""
    return "\n".join([fiche.title, fiche.title, "\n".join(fiche.keywords), fiche.summary, fiche.body_text()])


def key_terms(text: str, searcher, limit: int = SIMILARITY_TERMS) -> list[tuple[str, float]]:
    """The `limit` most distinctive stems of a text (tf·idf).

    Only the most frequent SIMILARITY_CANDIDATES stems are weighed, so a page
    of random words costs no more than a page of prose.
    """
    counts = Counter(analyze(text[:200_000]))
    total = max(1, searcher.doc_count())
    scored = []
    for stem, tf in counts.most_common(SIMILARITY_CANDIDATES):
        if len(stem) < 2 or stem.isdigit():
            continue
        df = _document_frequency(searcher, stem)
        if df == 0:
            continue
        scored.append((stem, (1 + math.log(tf)) * math.log(1 + total / df)))
    scored.sort(key=lambda item: (-item[1], item[0]))
    return scored[:limit]


def _document_frequency(searcher, stem: str) -> int:
    """Documents holding the stem in the body, else in the summary, else in the title."""
    for name in SIMILARITY_FIELDS:
        df = searcher.doc_frequency(name, stem)
        if df:
            return df
    return 0


def similarity_query(terms: list[tuple[str, float]]) -> wq.Query:
    """Any of the key terms in any text field, each weighted by its distinctiveness."""
    if not terms:
        return wq.NullQuery
    top = terms[0][1]
    return wq.Or([wq.Term(name, stem, boost=field_boost * weight / top)
                  for stem, weight in terms for name, field_boost in TEXT_FIELD_BOOSTS.items()])
