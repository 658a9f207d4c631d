"""Start-up: make sure an index is there to serve, building it from the corpus if needed."""

from __future__ import annotations

import logging

from indexer.build import build_index, open_current
from indexer.errors import IndexCorrupt, IndexNotFound
from indexer.parse import parse_corpus

from .config import Settings

log = logging.getLogger("search_app")


def ensure_index(settings: Settings) -> None:
    """Opens the served index; builds one from the corpus when it is missing or unreadable.

    Without BUILD_IF_MISSING the error propagates with its French message.
    """
    try:
        open_current(settings.INDEX_DIR)[1].close()
        return
    except IndexNotFound:
        if not settings.BUILD_IF_MISSING:
            raise
        log.warning("aucun index dans %s : construction depuis %s", settings.INDEX_DIR, settings.CORPUS_DIR)
    except IndexCorrupt as exc:
        if not settings.BUILD_IF_MISSING:
            raise
        log.warning("index illisible (%s) : reconstruction depuis %s", exc, settings.CORPUS_DIR)
    result = parse_corpus(settings.CORPUS_DIR)
    for problem in result.problems:
        log.warning("fiche rejetée : %s", problem)
    report = build_index(result.fiches, settings.INDEX_DIR, embed=settings.SEMANTIC)
    log.info("index construit : %s, génération %s", result.summary(), report.generation.name)
