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
from indexer.analysis import fold
from indexer.fiche import Fiche
from indexer.schema import PUBLIC_FACETS, RANGE_FIELDS, TEXT_FIELD_BOOSTS

from .complete import TitleStarts
from .facets import FacetTable
from .matching import Evaluation, IndexStatistics, QueryEvaluator
from .postings import PostingsCache
from .query import QueryParser
from .ranges import NumberColumns
from .semantic import SemanticVectors, load_vectors


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
    numbers: NumberColumns
    department_rank: np.ndarray
    """Per document, its département's rank in alphabetical order (accents ignored); last without one."""
    value_keys: dict = field(default_factory=dict)
    """Per facet, its values by folded spelling (filled by `facet_values.resolve_value`)."""
    semantic: SemanticVectors | None = None
    """The fiche vectors, None when the semantic layer is off (lexical search only)."""
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

    def similarities(self, text: str) -> np.ndarray | None:
        """Cosine similarity of a text to every document; None when the semantic layer is off."""
        return self.semantic.similarities(text) if self.semantic is not None else None

    def title(self, docnum: int) -> str:
        return self.searcher().stored_fields(docnum).get("title", "")

    def fiche(self, docnum: int) -> Fiche:
        return Fiche.from_dict(stored_record(self.searcher().stored_fields(docnum)))


def open_snapshot(index_root: Path, postings_budget: int, semantic: bool = True) -> Snapshot:
    generation, ix = open_current(index_root)
    reader = ix.reader()
    try:
        facets = FacetTable.from_reader(reader, PUBLIC_FACETS)
        numbers = NumberColumns.from_reader(reader, RANGE_FIELDS)
        stats = IndexStatistics(reader, list(TEXT_FIELD_BOOSTS), facets.live)
        folded_titles = _column_values(reader, "title_sort")
        years = _column_values(reader, "year_sort")
    finally:
        reader.close()
    year_key = np.array([int(y) if y.isdigit() else 0 for y in years], dtype=np.int32)
    title_rank = np.empty(len(folded_titles), dtype=np.int32)
    title_rank[np.argsort(np.array(folded_titles, dtype=object), kind="stable")] = np.arange(len(folded_titles))
    vectors = load_vectors(generation.path, stats.doc_count) if semantic else None
    return Snapshot(generation, ix, facets, QueryParser(ix.schema), stats,
                    PostingsCache(postings_budget), year_key, title_rank, TitleStarts(folded_titles), numbers,
                    _department_rank(facets), semantic=vectors)


def _department_rank(facets: FacetTable) -> np.ndarray:
    facet = facets.facets["department"]
    rank = np.full(facets.doc_count, len(facet.values), dtype=np.int32)
    order = sorted(range(len(facet.values)), key=lambda i: fold(facet.values[i]).lower())
    for position, ordinal in enumerate(order):
        rank[facet.docs[ordinal]] = position
    return rank


def stored_record(stored) -> dict:
    """A fiche's record as stored in the index (`Fiche.to_dict`)."""
    return json.loads(stored["record"])


def _column_values(reader, name: str) -> list[str]:
    """A sortable column's values, one per document (none for an index without documents)."""
    if not reader.doc_count_all():
        return []
    return [str(value) for value in reader.column_reader(name)]
