"""Where the corpus and the index live by default (overridable by environment variables)."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
ENV_CORPUS_DIR = "SEARCH_CORPUS_DIR"
ENV_INDEX_DIR = "SEARCH_INDEX_DIR"
ENV_SEMANTIC = "SEARCH_SEMANTIC"
ENV_EMBEDDINGS_CACHE = "SEARCH_EMBEDDINGS_CACHE"
ENV_EMBED_THREADS = "SEARCH_EMBED_THREADS"
_FALSE = {"0", "false", "no", "non", "off"}


def default_corpus_dir() -> Path:
    """`$SEARCH_CORPUS_DIR`, else the bundled `corpus/` folder."""
    return Path(os.environ.get(ENV_CORPUS_DIR) or PROJECT_DIR / "corpus")


def default_index_dir() -> Path:
    """`$SEARCH_INDEX_DIR`, else `var/index` beside the project."""
    return Path(os.environ.get(ENV_INDEX_DIR) or PROJECT_DIR / "var" / "index")


def semantic_enabled() -> bool:
    """Builds write semantic vectors unless `$SEARCH_SEMANTIC` is false."""
    return os.environ.get(ENV_SEMANTIC, "true").strip().lower() not in _FALSE


def embeddings_cache_dir(index_root: Path) -> Path:
    """`$SEARCH_EMBEDDINGS_CACHE`, else `embeddings-cache/` under the index root."""
    return Path(os.environ.get(ENV_EMBEDDINGS_CACHE) or Path(index_root) / "embeddings-cache")


def embed_threads() -> str:
    """Threads of the embedder (`$SEARCH_EMBED_THREADS`, default 1)."""
    return os.environ.get(ENV_EMBED_THREADS) or "1"
