"""One index generation opened for searching: the arrays every query needs, shared by all requests."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from whoosh import query as wq
from whoosh.scoring import BM25F

from indexer.build import Generation, open_current
from indexer.fiche import Fiche
from indexer.schema import PUBLIC_FACETS, TEXT_FIELD_BOOSTS

from .complete import TitleStarts
from .facets import FacetTable
from .matching import Evaluation, IndexStatistics, QueryEvaluator
from .postings import PostingsCache
from .query import QueryParser


@dataclass
class Snapshot:
    """One index generation, opened once and shared by all requests.

    Holds what every query needs as arrays over document numbers: facet
    postings, field lengths, sort keys, folded titles for completion.
    Whoosh searchers and evaluators are per thread.
    """

    generation: Generation
    index: object
    facets: FacetTable
    parser: QueryParser
    stats: IndexStatistics
    postings: PostingsCache
    year_key: np.ndarray
    title_rank: np.ndarray
    title_starts: TitleStarts
    _local: threading.local = field(default_factory=threading.local)

    def searcher(self):
        searcher = getattr(self._local, "searcher", None)
        if searcher is None:
            searcher = self.index.searcher(weighting=BM25F())
            self._local.searcher = searcher
        return searcher

    def evaluator(self) -> QueryEvaluator:
        evaluator = getattr(self._local, "evaluator", None)
        if evaluator is None:
            evaluator = QueryEvaluator(self.searcher(), self.stats, self.postings)
            self._local.evaluator = evaluator
        return evaluator

    def evaluate(self, q: wq.Query | None) -> Evaluation:
        """Match mask and scores of a query; None browses every live document."""
        if q is None:
            return Evaluation(self.facets.all_docs(), np.zeros(self.stats.doc_count, dtype=np.float32))
        return self.evaluator().evaluate(q)

    def title(self, docnum: int) -> str:
        return self.searcher().stored_fields(docnum).get("title", "")

    def fiche(self, docnum: int) -> Fiche:
        return Fiche.from_dict(stored_record(self.searcher().stored_fields(docnum)))


def open_snapshot(index_root: Path, postings_budget: int) -> Snapshot:
    generation, ix = open_current(index_root)
    reader = ix.reader()
    try:
        facets = FacetTable.from_reader(reader, PUBLIC_FACETS)
        stats = IndexStatistics(reader, list(TEXT_FIELD_BOOSTS), facets.live)
        folded_titles = _column_values(reader, "title_sort")
        years = _column_values(reader, "year_sort")
    finally:
        reader.close()
    year_key = np.array([int(y) if y.isdigit() else 0 for y in years], dtype=np.int32)
    title_rank = np.empty(len(folded_titles), dtype=np.int32)
    title_rank[np.argsort(np.array(folded_titles, dtype=object), kind="stable")] = np.arange(len(folded_titles))
    return Snapshot(generation, ix, facets, QueryParser(ix.schema), stats,
                    PostingsCache(postings_budget), year_key, title_rank, TitleStarts(folded_titles))


def stored_record(stored) -> dict:
    """A fiche's record as stored in the index (`Fiche.to_dict`)."""
    return json.loads(stored["record"])


def _column_values(reader, name: str) -> list[str]:
    """A sortable column's values, one per document (none for an index without documents)."""
    if not reader.doc_count_all():
        return []
    return [str(value) for value in reader.column_reader(name)]
