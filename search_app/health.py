"""Service health shared by the serving processes: workers alive, generations found damaged.

The state lives in anonymous shared memory created with the app, before the
server forks its workers, so a damaged generation seen by one worker, or a
worker missing as seen by the parent, shows on `/healthz` whichever process
answers it. Which errors mean a damaged index is decided here too: an
unexpected error while reading the index is checked against the generation's
checksums, so a bug still answers 500 and damage answers 503.
"""

from __future__ import annotations

import logging
import mmap
import struct
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from werkzeug.exceptions import HTTPException

from indexer.errors import IndexCorrupt, IndexerError
from indexer.generations import Generation, verify_generation

from .errors import ServiceError

log = logging.getLogger("search_app")

_HEADER = struct.Struct("<iiH")  # workers expected, workers alive, length of the damaged generation's name
_NAME_BYTES = 128
_VERIFIED_FOR = 60.0
T = TypeVar("T")


class SharedHealth:
    """Counters and the damaged generation's name, in memory shared across `fork`."""

    def __init__(self) -> None:
        self._memory = mmap.mmap(-1, _HEADER.size + _NAME_BYTES)
        self._lock = threading.Lock()
        self._verified: tuple[str, float] | None = None

    def _read(self) -> tuple[int, int, str]:
        expected, alive, length = _HEADER.unpack_from(self._memory, 0)
        name = self._memory[_HEADER.size:_HEADER.size + min(length, _NAME_BYTES)].decode("utf-8", "replace")
        return expected, alive, name

    def _write(self, expected: int, alive: int, name: str) -> None:
        raw = name.encode("utf-8")[:_NAME_BYTES]
        self._memory[_HEADER.size:_HEADER.size + len(raw)] = raw
        _HEADER.pack_into(self._memory, 0, expected, alive, len(raw))

    def set_workers(self, expected: int, alive: int) -> None:
        """Called by the serving parent whenever a worker starts or dies."""
        with self._lock:
            self._write(expected, alive, self._read()[2])

    def workers(self) -> tuple[int, int]:
        expected, alive, _ = self._read()
        return expected, alive

    def mark_damaged(self, generation: str) -> None:
        with self._lock:
            expected, alive, _ = self._read()
            self._write(expected, alive, generation)

    def damaged(self) -> str:
        """Name of the generation found damaged while serving ('' if none)."""
        return self._read()[2]

    def index_read_error(self, generation: Generation, error: Exception) -> IndexCorrupt | None:
        """The IndexCorrupt to answer with if `error` came from damaged files of `generation`, else None.

        A generation already found damaged is not checked again; one found
        intact is trusted for a minute (a bug does not cost a checksum per request).
        """
        if self.damaged() == generation.name:
            return IndexCorrupt(str(generation.path), "fichiers endommagés")
        verified = self._verified
        if verified and verified[0] == generation.name and time.monotonic() - verified[1] < _VERIFIED_FOR:
            return None
        try:
            verify_generation(generation)
        except IndexCorrupt as corrupt:
            self.mark_damaged(generation.name)
            log.error("index endommagé pendant le service (%s : %s) : %s", type(error).__name__, error, corrupt)
            return corrupt
        self._verified = (generation.name, time.monotonic())
        return None

    def guarded(self, generation: Callable[[], Generation | None], read: Callable[[], T]) -> T:
        """`read()`, with an unexpected error turned into IndexCorrupt when the index files are damaged."""
        try:
            return read()
        except (IndexerError, ServiceError, HTTPException):
            raise
        except Exception as exc:
            served = generation()
            corrupt = self.index_read_error(served, exc) if served is not None else None
            if corrupt is None:
                raise
            raise corrupt from exc


def health_report(health: SharedHealth, stats: Callable[[], dict]) -> tuple[dict, int]:
    """The `/healthz` body and status: 200 "ok", or 503 "degraded" with the French reasons."""
    problems: list[str] = []
    try:
        body = {"status": "ok", **stats()}
    except IndexerError as exc:
        body = {"status": "ok"}
        problems.append(str(exc))
    if body.get("generation") and health.damaged() == body["generation"]:
        problems.append(f"la génération {body['generation']} a des fichiers endommagés")
    expected, alive = health.workers()
    if expected and alive < expected:
        body["workers"] = {"expected": expected, "alive": alive}
        problems.append(f"{expected - alive} processus de service sur {expected} arrêté(s)")
    if not problems:
        return body, 200
    return {**body, "status": "degraded", "problems": problems}, 503
