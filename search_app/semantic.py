"""The semantic side of a search: a generation's fiche vectors, query embeddings, and their fusion with BM25F.

The vectors (written by `indexer.embeddings`) are memory-mapped once per
generation, so all serving threads and forked workers share one copy. A query
is embedded by the process-wide e5 model, cut to QUERY_CHARS characters first
(an embedding's cost grows faster than its length: a pasted page costs what
its opening costs), and remembered in a small LRU. Cosine similarities are a
matrix-vector product over all documents.

`fuse` is a pure function over score arrays, for any caller that ranks
lexical and semantic candidates together.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

from indexer.embeddings import DIMENSION, MODEL_NAME, VECTORS_FILE, VECTORS_META, embedder

from .matching import Evaluation

log = logging.getLogger("search_app")

QUERY_CHARS = 300
QUERY_CACHE_SIZE = 512
SEMANTIC_WEIGHT = 0.5
SEMANTIC_CANDIDATES = 50
BLEND_WEIGHT = 0.5
"""Semantic share of a word query's fused score (z-scores of both sides; dev set: 0.5 beat 0.3 and 0.7)."""
MEANING_FILL = 20
"""Documents closest in meaning added to a partial word match (dev set: 10, 20 and 30 gave the same top 10)."""


class QueryVectors:
    """Query text → its e5 vector, cut to QUERY_CHARS, with an LRU of recent queries (thread-safe)."""

    def __init__(self, size: int = QUERY_CACHE_SIZE) -> None:
        self.size = size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def vector(self, text: str) -> np.ndarray | None:
        key = bounded_text(text)
        if not key:
            return None
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                return found
        model = embedder()
        if model is None:
            return None
        vector = model.query(key)
        with self._lock:
            self._cache[key] = vector
            while len(self._cache) > self.size:
                self._cache.popitem(last=False)
        return vector

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()


QUERY_VECTORS = QueryVectors()


def bounded_text(text: str, limit: int = QUERY_CHARS) -> str:
    """The text cut to `limit` characters, at a word boundary when there is one."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit + 1]
    space = cut.rfind(" ")
    return cut[:space] if space > limit // 2 else text[:limit]


class SemanticVectors:
    """One generation's fiche vectors (a read-only memory map), row i for document number i."""

    def __init__(self, matrix: np.ndarray, ids: list[str]) -> None:
        self.matrix = matrix
        self.ids = ids

    def similarities(self, text: str) -> np.ndarray | None:
        """Cosine similarity of the text (as a query) to every document; None if it cannot be embedded."""
        vector = QUERY_VECTORS.vector(text)
        if vector is None:
            return None
        return self.matrix @ vector

    def similar_to(self, docnum: int) -> np.ndarray:
        """Cosine similarity of a document's stored vector to every document (no embedding)."""
        return self.matrix @ np.asarray(self.matrix[docnum])


def load_vectors(generation_path: Path, doc_count: int) -> SemanticVectors | None:
    """The generation's vectors, or None (logged) when absent, of another model, or not matching its documents.

    Also None when the model cannot be loaded in this process: vectors without
    a way to embed queries would only serve half of the features.
    """
    generation_path = Path(generation_path)
    try:
        meta = json.loads((generation_path / VECTORS_META).read_text(encoding="utf-8"))
        matrix = np.load(generation_path / VECTORS_FILE, mmap_mode="r", allow_pickle=False)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("vecteurs sémantiques illisibles dans %s : %s", generation_path, exc)
        return None
    ids = meta.get("ids") if isinstance(meta, dict) else None
    if (meta.get("model") != MODEL_NAME or not isinstance(ids, list) or len(ids) != doc_count
            or matrix.shape != (doc_count, DIMENSION) or matrix.dtype != np.float32):
        log.warning("vecteurs sémantiques de %s ignorés : modèle ou dimensions différents", generation_path)
        return None
    if embedder() is None:
        return None
    return SemanticVectors(matrix, ids)


def normalized(scores: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """Scores min-max scaled to [0, 1] over the candidate documents (0 elsewhere)."""
    out = np.zeros(len(scores), dtype=np.float32)
    if not candidates.any():
        return out
    values = scores[candidates].astype(np.float32)
    low, high = float(values.min()), float(values.max())
    out[candidates] = (values - low) / (high - low) if high > low else 1.0
    return out


def standardized(scores: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """Scores as z-scores over the candidate documents (0 elsewhere)."""
    out = np.zeros(len(scores), dtype=np.float32)
    if not candidates.any():
        return out
    values = scores[candidates].astype(np.float32)
    spread = float(values.std())
    out[candidates] = (values - float(values.mean())) / spread if spread > 0 else 0.0
    return out


SCALES = {"minmax": normalized, "zscore": standardized}


def fuse(lexical_scores: np.ndarray, semantic_scores: np.ndarray, candidates: np.ndarray,
         weight: float = SEMANTIC_WEIGHT, scale: str = "minmax") -> np.ndarray:
    """One score per document: (1 − weight) · lexical + weight · semantic, each side scaled over the candidates.

    `scale`: "minmax" (each side to [0, 1]) or "zscore". Scaling keeps each
    side's gaps (a fiche far ahead on BM25F stays ahead unless the meaning
    disagrees), which reciprocal-rank fusion throws away: over the dev set's
    queries RRF lost 0.02–0.04 nDCG@10 to either scaling. Only the order among candidates
    is meaningful; documents outside `candidates` score 0.
    """
    rescale = SCALES[scale]
    fused = ((1.0 - weight) * rescale(lexical_scores, candidates)
             + weight * rescale(semantic_scores, candidates))
    fused[~candidates] = 0.0
    return fused


def text_weight(text: str, weight: float = SEMANTIC_WEIGHT) -> float:
    """The semantic side's weight for a text: `weight` times the share of the text its embedding read.

    A query is embedded from its first QUERY_CHARS characters while its key
    terms come from all of it; the opening of a long page may be generic
    ("créer du lien social…") and must not outvote what the rest says.
    """
    length = len(" ".join(text.split()))
    return weight * min(1.0, QUERY_CHARS / length) if length else weight


def semantic_neighbours(similarities: np.ndarray, live: np.ndarray,
                        count: int = SEMANTIC_CANDIDATES) -> np.ndarray:
    """Mask of the `count` live documents most similar in meaning."""
    mask = np.zeros(len(similarities), dtype=bool)
    docs = np.flatnonzero(live)
    if len(docs) == 0:
        return mask
    if len(docs) > count:
        docs = docs[np.argpartition(-similarities[docs], count - 1)[:count]]
    mask[docs] = True
    return mask


def fused_evaluation(evaluation: Evaluation, similarities: np.ndarray | None, live: np.ndarray,
                     weight: float = SEMANTIC_WEIGHT) -> Evaluation:
    """A similarity search's lexical evaluation with the meaning fused in.

    Candidates: the documents sharing a key term, plus the closest in meaning
    (a paraphrase may share none of the key terms).
    """
    if similarities is None:
        return evaluation
    candidates = (evaluation.mask | semantic_neighbours(similarities, live)) & live
    return Evaluation(candidates, fuse(evaluation.scores, similarities, candidates, weight))


def blended_evaluation(evaluation: Evaluation, similarities: np.ndarray | None, live: np.ndarray,
                       filter_mask: np.ndarray, extra: int = 0,
                       weight: float = BLEND_WEIGHT) -> Evaluation:
    """A word query's evaluation reordered by lexical and semantic scores together (z-scores).

    The match set stays the lexical one, plus, when `extra` is given (the
    words matched only partly), that many of the closest other documents in
    meaning (and clearly closer than most: see `_closeness_floor`): a
    paraphrase may share no word with the query.
    """
    if similarities is None:
        return evaluation
    candidates = evaluation.mask & live
    if extra > 0:
        others = live & filter_mask & ~candidates & (similarities >= _closeness_floor(similarities, live))
        candidates = candidates | semantic_neighbours(np.where(others, similarities, -np.inf), others, extra)
    if not candidates.any():
        return evaluation
    return Evaluation(candidates, fuse(evaluation.scores, similarities, candidates, weight, scale="zscore"))


def _closeness_floor(similarities: np.ndarray, live: np.ndarray) -> float:
    """One standard deviation above the mean similarity: the documents clearly closer than most."""
    values = similarities[live]
    return float(values.mean() + values.std()) if len(values) else 0.0
