"""Autocompletion: titles in which a word starts with the typed prefix, then index words."""

from __future__ import annotations

from itertools import islice
from typing import TYPE_CHECKING

import numpy as np
from whoosh.support.levenshtein import damerau_levenshtein

from indexer.analysis import fold

from .query import clean_query

if TYPE_CHECKING:
    from .snapshot import Snapshot

COMPLETION_CANDIDATES = 300
MISSPELLING_RATIO = 3


class TitleStarts:
    """Finds the titles in which a word starts with a typed prefix, by binary search.

    Keeps every folded title from each of its word starts on (cut to KEY_BYTES)
    in one sorted fixed-width byte array, so a keystroke costs a few
    `searchsorted` calls, not a scan of all titles.
    """

    KEY_BYTES = 32

    def __init__(self, folded_titles: list[str]) -> None:
        self.folded_titles = folded_titles
        keys, docnums = [], []
        for docnum, title in enumerate(folded_titles):
            start = 0
            while start != -1:
                keys.append(title[start:start + self.KEY_BYTES].encode("ascii", "replace"))
                docnums.append(docnum)
                start = title.find(" ", start)
                start = -1 if start == -1 else start + 1
        order = np.argsort(np.array(keys, dtype=f"S{self.KEY_BYTES}"), kind="stable")
        self.keys = np.array(keys, dtype=f"S{self.KEY_BYTES}")[order]
        self.docnums = np.array(docnums, dtype=np.int32)[order]

    def matching(self, folded_prefix: str) -> np.ndarray:
        """Document numbers, ascending, of titles with a word (and what follows) starting with the prefix."""
        prefix = folded_prefix.encode("ascii", "replace")
        head = prefix[:self.KEY_BYTES]
        low = np.searchsorted(self.keys, head, side="left")
        high = np.searchsorted(self.keys, head + b"\xff" * (self.KEY_BYTES - len(head)), side="right") \
            if len(head) < self.KEY_BYTES else np.searchsorted(self.keys, head, side="right")
        docnums = np.unique(self.docnums[low:high])
        if len(prefix) > self.KEY_BYTES:
            docnums = np.array([d for d in docnums.tolist() if self._contains(d, folded_prefix)], dtype=np.int32)
        return docnums

    def _contains(self, docnum: int, folded_prefix: str) -> bool:
        title = self.folded_titles[docnum]
        return title.startswith(folded_prefix) or f" {folded_prefix}" in title


def completions(snapshot: Snapshot, prefix: str, limit: int = 8) -> list[str]:
    """Completions for a typed prefix: matching titles first, then index words."""
    folded = fold(clean_query(prefix)).strip()
    if not folded:
        return []
    out = _title_completions(snapshot, folded, limit)
    if len(out) >= limit:
        return out
    typed = prefix.strip()
    head = typed[: len(typed) - len(typed.split()[-1])] if typed else ""
    for word in _word_completions(snapshot, folded.split()[-1], limit * 2):
        completion = f"{head}{word}"
        if completion not in out:
            out.append(completion)
        if len(out) >= limit:
            break
    return out


def _title_completions(snapshot: Snapshot, folded: str, limit: int) -> list[str]:
    out: list[str] = []
    for docnum in snapshot.title_starts.matching(folded).tolist():
        if snapshot.facets.live[docnum]:
            title = snapshot.title(docnum)
            if title not in out:
                out.append(title)
            if len(out) >= limit:
                break
    return out


def _word_completions(snapshot: Snapshot, last: str, limit: int) -> list[str]:
    """Index words starting with the last typed word, most frequent first, misspellings left out."""
    searcher = snapshot.searcher()
    candidates = islice(searcher.reader().expand_prefix("spell", last), COMPLETION_CANDIDATES)
    words = [(searcher.doc_frequency("spell", w), w)
             for w in (t.decode() if isinstance(t, bytes) else t for t in candidates)]
    ranked = sorted(words, key=lambda item: (-item[0], item[1]))[:limit * 3]
    return [word for count, word in ranked if not _misspelling_of_another(word, count, ranked)][:limit]


def _misspelling_of_another(word: str, count: int, ranked: list[tuple[int, str]]) -> bool:
    """Whether a rare word is a typo of a far more frequent candidate ("adolecentes" of "adolescentes")."""
    if len(word) < 5:
        return False
    return any(other_count >= MISSPELLING_RATIO * count and other != word
               and abs(len(other) - len(word)) <= 2 and damerau_levenshtein(word, other) <= 2
               for other_count, other in ranked)
