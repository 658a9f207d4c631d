"""Snippets: the best passage of a fiche, escaped, with the matched words in <mark>."""

from __future__ import annotations

import re

from markupsafe import escape

from indexer.analysis import WORDS, extra_term, word_terms
from indexer.fiche import Fiche

SNIPPET_CHARS = 240
SNIPPET_LEAD = 60


def highlight_passage(text: str, stems: frozenset[str], width: int = SNIPPET_CHARS) -> str:
    """HTML of the `width`-character passage holding the most matched words, or "" if none.

    Words are matched through the index analyzer (stemming, folding), one
    memoised lookup per word; the text is escaped piece by piece around <mark>.
    """
    matches = list(WORDS.finditer(text))
    terms = word_terms(list(map(re.Match.group, matches)))
    spans = [match.span() for match, term in zip(matches, terms)
             if term in stems or (term is not None and extra_term(match.group()) in stems)]
    if not spans:
        return ""
    best, best_count, j = 0, 0, 0
    for i, (start, _) in enumerate(spans):
        while j < len(spans) and spans[j][1] - start <= width - SNIPPET_LEAD:
            j += 1
        if j - i > best_count:
            best, best_count = i, j - i
    begin = max(0, spans[best][0] - SNIPPET_LEAD)
    if begin:
        space = text.find(" ", begin, spans[best][0])
        begin = space + 1 if space != -1 else begin
    end = min(len(text), begin + width)
    if end < len(text):
        space = text.rfind(" ", max(spans[best][1], begin), end)
        end = space if space > begin else end
    pieces, cursor = [], begin
    for start, stop in spans:
        if start < begin or stop > end:
            continue
        pieces.append(str(escape(text[cursor:start])))
        pieces.append(f"<mark>{escape(text[start:stop])}</mark>")
        cursor = stop
    pieces.append(str(escape(text[cursor:end])))
    passage = " ".join("".join(pieces).split())
    return ("… " if begin else "") + passage + (" …" if end < len(text) else "")


def make_snippet(fiche: Fiche, stems: frozenset[str]) -> str:
    """HTML: the best passage of the fiche with matched words marked, always escaped."""
    if stems:
        for text in (fiche.summary, fiche.body_text(), fiche.title):
            if text:
                marked = highlight_passage(text, stems)
                if marked:
                    return marked
    text = " ".join((fiche.summary or fiche.body_text()).split())
    if len(text) > SNIPPET_CHARS:
        text = text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"
    return str(escape(text))
