"""A parsed Whoosh query evaluated over the whole index at once: match mask and BM25F scores.

Each leaf term contributes `boost · idf · BM25(tf, field length)` to the
documents in its postings; `And` intersects, `Or` unites (with a coordination
factor when the parser asked for one, so that matching all words outranks
matching some), `Not`/`AndNot` exclude. Phrases are matched by Whoosh (it
needs positions) and scored by their words. The result covers every matching
document, so totals, facet counts and the ranked page all come from one pass.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from whoosh import query as wq

from indexer.analysis import bigrams

from .postings import PostingsCache, field_lengths

K1 = 1.2
B = 0.75
BIGRAM_FIELD = "bigrams"


@dataclass
class Evaluation:
    mask: np.ndarray
    scores: np.ndarray
    coverage: np.ndarray | None = None
    """For any-word queries: how many of the query's words each document matches."""


class IndexStatistics:
    """Per-generation arrays: field lengths and their averages, the live documents."""

    def __init__(self, reader, text_fields: list[str], live: np.ndarray) -> None:
        self.doc_count = reader.doc_count_all()
        self.live = live
        self.live_count = max(1, int(live.sum()))
        self.lengths = {name: field_lengths(reader, name) for name in text_fields}
        self.average = {name: max(1.0, float(lengths[live].mean()) if len(lengths) else 1.0)
                        for name, lengths in self.lengths.items()}
        self._norms = {name: K1 * ((1 - B) + B * lengths / self.average[name])
                       for name, lengths in self.lengths.items()}

    def idf(self, df: int) -> float:
        return math.log(1 + (self.live_count - df + 0.5) / (df + 0.5))

    def term_scores(self, fieldname: str, ids: np.ndarray, tf: np.ndarray) -> np.ndarray:
        norm = self._norms.get(fieldname)
        if norm is None:
            return np.ones(len(ids), dtype=np.float32)
        return (self.idf(len(ids)) * tf * (K1 + 1) / (tf + norm[ids])).astype(np.float32)


class QueryEvaluator:
    """Evaluates query trees for one thread's searcher over shared statistics and postings."""

    def __init__(self, searcher, stats: IndexStatistics, postings: PostingsCache) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.stats = stats
        self.postings = postings

    def _empty(self) -> Evaluation:
        n = self.stats.doc_count
        return Evaluation(np.zeros(n, dtype=bool), np.zeros(n, dtype=np.float32))

    def evaluate(self, q: wq.Query) -> Evaluation:
        result = self._evaluate(q)
        result.mask &= self.stats.live
        return result

    def _evaluate(self, q: wq.Query) -> Evaluation:
        if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
            return self._empty()
        if isinstance(q, wq.Term):
            return self._term(q.fieldname, q.text, q.boost)
        if isinstance(q, wq.Every):
            return Evaluation(self.stats.live.copy(), np.zeros(self.stats.doc_count, dtype=np.float32))
        if isinstance(q, wq.And):
            return self._and(q.subqueries, q.boost)
        if isinstance(q, wq.Or):
            return self._or(q.subqueries, q.boost, getattr(q, "scale", None))
        if isinstance(q, wq.AndNot):
            positive = self._evaluate(q.a)
            positive.mask &= ~self._evaluate(q.b).mask
            return positive
        if isinstance(q, wq.AndMaybe):
            required = self._evaluate(q.a)
            optional = self._evaluate(q.b)
            required.scores += np.where(required.mask & optional.mask, optional.scores, 0)
            return required
        if isinstance(q, wq.Not):
            excluded = self._evaluate(q.query)
            return Evaluation(self.stats.live & ~excluded.mask,
                              np.zeros(self.stats.doc_count, dtype=np.float32))
        if isinstance(q, wq.Phrase):
            return self._phrase(q)
        return self._by_whoosh(q)

    def _term(self, fieldname: str, text: str, boost: float) -> Evaluation:
        result = self._empty()
        if not isinstance(text, str):
            return result
        ids, tf = self.postings.get(self.reader, fieldname, text)
        if len(ids):
            result.mask[ids] = True
            result.scores[ids] = boost * self.stats.term_scores(fieldname, ids, tf)
        return result

    def _and(self, subqueries, boost: float) -> Evaluation:
        positives = [s for s in subqueries if not isinstance(s, wq.Not)]
        negatives = [s.query for s in subqueries if isinstance(s, wq.Not)]
        if not positives:
            result = Evaluation(self.stats.live.copy(), np.zeros(self.stats.doc_count, dtype=np.float32))
        else:
            result = self._evaluate(positives[0])
            for sub in positives[1:]:
                part = self._evaluate(sub)
                result.mask &= part.mask
                result.scores += part.scores
        for sub in negatives:
            result.mask &= ~self._evaluate(sub).mask
        if boost != 1:
            result.scores *= boost
        return result

    def _or(self, subqueries, boost: float, scale: float | None) -> Evaluation:
        """Union; with `scale` (any-word mode) also counts the distinct words each document matches.

        Whoosh flattens `Or(Or(word1 in each field), Or(word2 …))`, so words are
        told apart by the text of their terms.
        """
        if not scale and subqueries and all(isinstance(sub, wq.Term) for sub in subqueries):
            result = self._terms_union(subqueries)
        else:
            result = self._union(subqueries, scale)
        if boost != 1:
            result.scores *= boost
        return result

    def _terms_union(self, terms) -> Evaluation:
        """Or of plain terms (one word in every field, or the key terms of a text) in one pass."""
        ids_parts, score_parts = [], []
        for term in terms:
            if not isinstance(term.text, str):
                continue
            ids, tf = self.postings.get(self.reader, term.fieldname, term.text)
            if len(ids):
                ids_parts.append(ids)
                score_parts.append(term.boost * self.stats.term_scores(term.fieldname, ids, tf))
        if not ids_parts:
            return self._empty()
        ids = np.concatenate(ids_parts)
        n = self.stats.doc_count
        scores = np.bincount(ids, weights=np.concatenate(score_parts), minlength=n).astype(np.float32)
        mask = np.zeros(n, dtype=bool)
        mask[ids] = True
        return Evaluation(mask, scores)

    def _union(self, subqueries, scale: float | None) -> Evaluation:
        result = self._empty()
        words: dict[object, np.ndarray] = {}
        for sub in subqueries:
            part = self._evaluate(sub)
            result.mask |= part.mask
            result.scores += np.where(part.mask, part.scores, 0)
            if scale:
                key = sub.text if isinstance(sub, wq.Term) else id(sub)
                words[key] = words[key] | part.mask if key in words else part.mask
        if words:
            matched = np.sum(list(words.values()), axis=0, dtype=np.int16)
            result.scores *= matched / len(words)
            result.coverage = matched
        return result

    def _phrase(self, q: wq.Phrase) -> Evaluation:
        """Documents with every word in the field and every consecutive pair in the bigram field.

        Exact positions are only checked (by Whoosh) when the index has no bigram field.
        """
        words = [w for w in q.words if isinstance(w, str)]
        if not words:
            return self._empty()
        if len(words) == 1:
            return self._term(q.fieldname, words[0], q.boost)
        if BIGRAM_FIELD in self.reader.schema:
            result = self._and([wq.Term(q.fieldname, w) for w in words], 1.0)
            for pair in bigrams(words):
                result.mask &= self._term(BIGRAM_FIELD, pair, 1.0).mask
        else:
            result = self._by_whoosh(q)
            for word in words:
                result.scores += np.where(result.mask, self._term(q.fieldname, word, 1.0).scores, 0)
        result.scores *= q.boost
        return result

    def _by_whoosh(self, q: wq.Query) -> Evaluation:
        result = self._empty()
        ids = np.fromiter(self.searcher.docs_for_query(q), dtype=np.int64)
        if len(ids):
            result.mask[ids] = True
            result.scores[ids] = 1.0
        return result


def top_documents(scores: np.ndarray, candidates: np.ndarray, limit: int,
                  coverage: np.ndarray | None = None) -> np.ndarray:
    """The `limit` best candidates by score (after coverage, if given), ties broken by document number."""
    if limit <= 0 or not len(candidates):
        return candidates[:0]
    if coverage is not None:
        order = np.lexsort((candidates, -scores[candidates], -coverage[candidates]))
        return candidates[order][:limit]
    negated = -scores[candidates]
    if len(candidates) > limit:
        threshold = np.partition(negated, limit - 1)[limit - 1]
        keep = negated <= threshold
        candidates, negated = candidates[keep], negated[keep]
    order = np.lexsort((candidates, negated))
    return candidates[order][:limit]
