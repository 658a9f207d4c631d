"""Start-up: make sure an intact index is there to serve, falling back or rebuilding if needed.

The served generation is fully verified (sizes and CRC-32 of every file).
A damaged one is replaced by the previous intact generation if there is one
(logged); otherwise, with BUILD_IF_MISSING, the index is rebuilt from the
corpus; otherwise the IndexCorrupt error propagates with its French message
(the server exits with code 3).
"""

from __future__ import annotations

import logging

from indexer.build import build_index, fall_back_to_previous, open_current
from indexer.errors import IndexCorrupt, IndexNotFound
from indexer.parse import parse_corpus

from .config import Settings

log = logging.getLogger("search_app")


def ensure_index(settings: Settings) -> None:
    """Opens and verifies the served index; falls back, builds or raises as the module says."""
    try:
        open_current(settings.INDEX_DIR, verify=True)[1].close()
        return
    except IndexNotFound:
        if not settings.BUILD_IF_MISSING:
            raise
        log.warning("aucun index dans %s : construction depuis %s", settings.INDEX_DIR, settings.CORPUS_DIR)
    except IndexCorrupt as exc:
        fallback = fall_back_to_previous(settings.INDEX_DIR)
        if fallback is not None:
            log.warning("index illisible (%s) : retour à la génération précédente %s", exc, fallback.name)
            return
        if not settings.BUILD_IF_MISSING:
            raise
        log.warning("index illisible (%s) : reconstruction depuis %s", exc, settings.CORPUS_DIR)
    result = parse_corpus(settings.CORPUS_DIR, settings.MAX_FILE_BYTES)
    for problem in result.problems:
        log.warning("fiche rejetée : %s", problem)
    report = build_index(result.fiches, settings.INDEX_DIR, embed=settings.SEMANTIC)
    log.info("index construit : %s, génération %s", result.summary(), report.generation.name)
