"""`SearchEngine`: follows the served index generation, caches answers, and runs a search's steps.

A search: the query text is planned (`query`), evaluated over the whole index
(`matching`), relaxed to any word when nothing matches all of them, counted by
facet (`facets`), ranked and cut to a page with snippets (`highlight`), and
offered a spelling correction when it found little (`spelling`). Long texts go
to similarity instead (`similar`); prefixes to completion (`complete`).
"""

from __future__ import annotations

import functools
import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from whoosh import query as wq

from indexer.build import Generation, read_current
from indexer.errors import FicheNotFound, IndexerError
from indexer.retired import RetiredFiche, read_retired
from indexer.schema import PUBLIC_FACETS

from .cache import LruCache
from .facet_values import resolve_request
from .complete import completions
from .health import SharedHealth
from .highlight import make_snippet
from .matching import Evaluation, top_documents
from .pipeline import match
from .query import clean_query, normalize_fields, positive_terms
from .results import FacetValue, Hit, SearchRequest, SearchResponse
from .semantic import SEMANTIC_WEIGHT, fused_evaluation, text_weight
from .similar import fiche_text, key_terms, similarity_query
from .snapshot import Snapshot, open_snapshot
from .spelling import SUGGEST_BELOW, corrected_query


def _reads_index(method):
    """An unexpected error of `method` becomes IndexCorrupt (503) when the served files are damaged."""

    @functools.wraps(method)
    def guarded(self, *args, **kwargs):
        return self.health.guarded(self._served_generation, lambda: method(self, *args, **kwargs))

    return guarded


class SearchEngine:
    """Searches the served generation of an index root, following new generations as they land."""

    def __init__(self, index_root: Path, cache_size: int = 1024, facet_limit: int | None = None,
                 postings_budget: int = 128 * 1024 * 1024, health: SharedHealth | None = None,
                 semantic: bool = True) -> None:
        self.index_root = Path(index_root)
        self.health = health or SharedHealth()
        self.semantic = semantic
        self.facet_limit = facet_limit
        self.postings_budget = postings_budget
        self._snapshot: Snapshot | None = None
        self._lock = threading.Lock()
        self._cache = LruCache(cache_size)
        self._retired: dict[str, dict[str, RetiredFiche]] = {}

    # -- index generations -------------------------------------------------

    def snapshot(self) -> Snapshot:
        """The current generation; reopens when CURRENT names a new one."""
        name = read_current(self.index_root).name
        snapshot = self._snapshot
        if snapshot is not None and snapshot.generation.name == name:
            return snapshot
        with self._lock:
            if self._snapshot is None or self._snapshot.generation.name != read_current(self.index_root).name:
                self._snapshot = open_snapshot(self.index_root, self.postings_budget, self.semantic)
            return self._snapshot

    def _served_generation(self) -> Generation | None:
        try:
            return read_current(self.index_root)
        except IndexerError:
            return None

    @_reads_index
    def stats(self) -> dict:
        snapshot = self.snapshot()
        return {"generation": snapshot.generation.name, "documents": snapshot.facets.live_count,
                "semantic": snapshot.semantic is not None}

    # -- search ------------------------------------------------------------

    @_reads_index
    def search(self, request: SearchRequest) -> SearchResponse:
        started = time.perf_counter()
        snapshot = self.snapshot()
        request = resolve_request(snapshot, request)
        key = (snapshot.generation.name, request)
        cached = self._cache.get(key)
        if cached is not None:
            return replace(cached, took_ms=_elapsed_ms(started))
        response = self._search(snapshot, request, started)
        self._cache.put(key, response)
        return response

    def _search(self, snapshot: Snapshot, request: SearchRequest, started: float) -> SearchResponse:
        found = match(snapshot, request)
        selected = found.selected
        total = int(np.count_nonzero(selected))
        facets = snapshot.facets.disjunctive_counts(found.counted_mask, found.filters, self.facet_limit)
        hits = self._page_hits(snapshot, found.q, found.evaluation, selected, request, total)
        suggestion = None
        if found.q is not None and not found.similarity and (found.relaxed or found.corrections
                                                              or total < SUGGEST_BELOW):
            suggestion = self._suggestion(snapshot, request.query, total, found.relaxed, found.filter_mask,
                                          bool(found.corrections))
        return SearchResponse(
            query=request.query, total=total, page=request.page, per_page=request.per_page,
            sort=request.sort, hits=hits,
            facets={name: [FacetValue(v, c, s) for v, c, s in values] for name, values in facets.items()},
            filters=found.filters, suggestion=suggestion, relaxed=found.relaxed, similarity=found.similarity,
            took_ms=_elapsed_ms(started), generation=snapshot.generation.name,
            expansions=tuple(found.expansions), corrections=tuple(found.corrections),
            semantic=snapshot.semantic is not None)

    def _page_hits(self, snapshot: Snapshot, q: wq.Query | None, evaluation: Evaluation,
                   selected: np.ndarray, request: SearchRequest, total: int) -> list[Hit]:
        start = (request.page - 1) * request.per_page
        if start >= total:
            return []
        limit = start + request.per_page
        sort = request.sort if q is not None else ("year" if request.sort == "relevance" else request.sort)
        order = _ordered(snapshot, evaluation, np.flatnonzero(selected), sort, limit)
        stems = positive_terms(q)
        hits = []
        for docnum in order[start:limit].tolist():
            fiche = snapshot.fiche(docnum)
            score = round(float(evaluation.scores[docnum]), 4) if (q is not None and sort == "relevance") else None
            hits.append(_hit(fiche, make_snippet(fiche, stems), score))
        return hits

    @staticmethod
    def _suggestion(snapshot: Snapshot, text: str, total: int, relaxed: bool,
                    filter_mask: np.ndarray, corrected_in_results: bool) -> str | None:
        """The query spelled right: always when its corrections are in the results, else if it finds more."""
        corrected = corrected_query(snapshot.searcher(), text)
        if corrected is None or corrected_in_results:
            return corrected if total else None
        normalized = normalize_fields(corrected)

        def found(loose: bool) -> int:
            check = snapshot.parser.parse(normalized, relaxed=loose)
            return int(np.count_nonzero(snapshot.evaluate(check).mask & filter_mask))

        # Better: all words found where some were missing, or simply more results.
        if found(False) > (0 if relaxed else total) or (relaxed and found(True) > total):
            return corrected
        return None

    def selection(self, request: SearchRequest) -> tuple[Snapshot, np.ndarray]:
        """The served snapshot and every document matching `request`, in its order (no cap, no page).

        The same documents a search counts in `total` (the same `pipeline.match`),
        for exports and statistics, which read them in chunks.
        """
        snapshot = self.snapshot()
        found = match(snapshot, request)
        candidates = np.flatnonzero(found.selected)
        sort = request.sort if found.q is not None else ("year" if request.sort == "relevance" else request.sort)
        return snapshot, _ordered(snapshot, found.evaluation, candidates, sort, len(candidates))

    # -- fiches and similarity ----------------------------------------------

    @_reads_index
    def get_fiche(self, fiche_id: str):
        searcher = self.snapshot().searcher()
        docnum = searcher.document_number(id=fiche_id)
        if docnum is None:
            raise FicheNotFound(fiche_id)
        return self.snapshot().fiche(docnum)

    @_reads_index
    def retirement(self, fiche_id: str) -> tuple[RetiredFiche, str | None] | None:
        """For an id no longer served: what it was and the live id that replaced it (None: gone for good).

        None when the id was never retired. Replacements are followed over
        several generations (an id replaced by one that was replaced in turn).
        """
        snapshot = self.snapshot()
        retired = self._retired.get(snapshot.generation.name)
        if retired is None:
            retired = read_retired(snapshot.generation.path)
            self._retired = {snapshot.generation.name: retired}
        entry = retired.get(fiche_id)
        if entry is None:
            return None
        current, seen = entry, {fiche_id}
        while current.replaced_by and current.replaced_by not in seen:
            if snapshot.searcher().document_number(id=current.replaced_by) is not None:
                return entry, current.replaced_by
            seen.add(current.replaced_by)
            current = retired.get(current.replaced_by)
            if current is None:
                break
        return entry, None

    @_reads_index
    def similar_to_fiche(self, fiche_id: str, limit: int = 5,
                         filters: dict[str, list[str]] | None = None) -> list[Hit]:
        snapshot = self.snapshot()
        key = (snapshot.generation.name, "similar", fiche_id, limit,
               tuple(sorted((k, tuple(v)) for k, v in (filters or {}).items())))
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        docnum = snapshot.searcher().document_number(id=fiche_id)
        if docnum is None:
            raise FicheNotFound(fiche_id)
        meaning = snapshot.semantic.similar_to(docnum) if snapshot.semantic is not None else None
        hits = self._similar(snapshot, fiche_text(snapshot.fiche(docnum)), meaning, SEMANTIC_WEIGHT, limit, filters,
                             exclude=docnum)
        self._cache.put(key, hits)
        return hits

    @_reads_index
    def similar_to_text(self, text: str, limit: int = 10,
                        filters: dict[str, list[str]] | None = None) -> list[Hit]:
        snapshot = self.snapshot()
        text = clean_query(text)
        return self._similar(snapshot, text, snapshot.similarities(text), text_weight(text), limit, filters,
                             exclude=None)

    @staticmethod
    def _similar(snapshot: Snapshot, text: str, meaning: np.ndarray | None, weight: float, limit: int,
                 filters: dict[str, list[str]] | None, exclude: int | None) -> list[Hit]:
        """Ranked by the text's key terms, fused with `meaning` (cosine similarities) when there is one."""
        terms = key_terms(text, snapshot.searcher())
        q = similarity_query(terms)
        if q is wq.NullQuery:
            return []
        evaluation = fused_evaluation(snapshot.evaluate(q), meaning, snapshot.stats.live, weight)
        mask = evaluation.mask & snapshot.facets.filter_mask(
            {k: tuple(v) for k, v in (filters or {}).items() if k in PUBLIC_FACETS})
        if exclude is not None:
            mask[exclude] = False
        stems = frozenset(stem for stem, _ in terms)
        hits = []
        for docnum in top_documents(evaluation.scores, np.flatnonzero(mask), limit).tolist():
            fiche = snapshot.fiche(docnum)
            hits.append(_hit(fiche, make_snippet(fiche, stems), round(float(evaluation.scores[docnum]), 4)))
        return hits

    # -- completion -----------------------------------------------------------

    @_reads_index
    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        """Completions for a typed prefix: matching titles first, then index words."""
        return completions(self.snapshot(), prefix, limit)


def _ordered(snapshot: Snapshot, evaluation: Evaluation, candidates: np.ndarray, sort: str,
             limit: int) -> np.ndarray:
    """Candidate documents in the requested order (at least the first `limit` when by relevance)."""
    if sort == "year":
        return candidates[np.lexsort((snapshot.title_rank[candidates], -snapshot.year_key[candidates]))]
    if sort == "title":
        return candidates[np.argsort(snapshot.title_rank[candidates], kind="stable")]
    if sort == "department":
        return candidates[np.lexsort((snapshot.title_rank[candidates], snapshot.department_rank[candidates]))]
    return top_documents(evaluation.scores, candidates, limit, evaluation.coverage)


def _hit(fiche, snippet: str, score: float | None) -> Hit:
    return Hit(id=fiche.id, title=fiche.title, structure=fiche.structure_name,
               department=fiche.department, year=fiche.year, status=fiche.status,
               dimension=fiche.dimension, public=fiche.public, keywords=fiche.keywords,
               snippet=snippet, score=score)


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
