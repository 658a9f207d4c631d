"""Indexer settings with their defaults, overridable by environment variables.

The search service's settings read the same variables (and
these defaults); the indexer cannot import it (data flows one way).
"""

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
ENV_MAX_FILE_BYTES = "SEARCH_MAX_FILE_BYTES"
ENV_MAX_DROP_PERCENT = "SEARCH_MAX_DROP_PERCENT"
DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024
DEFAULT_MAX_DROP_PERCENT = 20.0


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


def _env_number(name: str, default: float, kind: type) -> float:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = kind(raw.strip())
    except ValueError:
        raise ValueError(f"{name}={raw!r} n'est pas un nombre") from None
    if value < 0:
        raise ValueError(f"{name}={raw!r} doit être positif")
    return value


def max_file_bytes() -> int:
    """Largest corpus file read (`$SEARCH_MAX_FILE_BYTES`, default 64 MiB); larger ones are rejected."""
    return int(_env_number(ENV_MAX_FILE_BYTES, DEFAULT_MAX_FILE_BYTES, int))


def max_drop_percent() -> float:
    """Largest share of the served fiches a build may drop without `--force` (`$SEARCH_MAX_DROP_PERCENT`)."""
    return float(_env_number(ENV_MAX_DROP_PERCENT, DEFAULT_MAX_DROP_PERCENT, float))
