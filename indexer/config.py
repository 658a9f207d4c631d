"""Where the corpus and the index live by default (overridable by environment variables)."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
ENV_CORPUS_DIR = "SEARCH_CORPUS_DIR"
ENV_INDEX_DIR = "SEARCH_INDEX_DIR"


def default_corpus_dir() -> Path:
    """`$SEARCH_CORPUS_DIR`, else the bundled `corpus/` folder."""
    return Path(os.environ.get(ENV_CORPUS_DIR) or PROJECT_DIR / "corpus")


def default_index_dir() -> Path:
    """`$SEARCH_INDEX_DIR`, else `var/index` beside the project."""
    return Path(os.environ.get(ENV_INDEX_DIR) or PROJECT_DIR / "var" / "index")
