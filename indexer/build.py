"""Writing the index: atomic generations, so a reader never sees a half-built index.

The layout of an index root and the reading side are `indexer/generations.py`.
A build writes a new generation beside the served one and switches CURRENT
only once it is committed and synced. A crash or SIGKILL mid-build leaves
CURRENT pointing at the previous, complete generation; the next build removes
the leftover.

A full build writes one segment per process (`indexer/parallel.py`) under
the writer lock (`indexer/writer_lock.py`), which also says what the forked
children do about the lock, Ctrl-C and a dead parent.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import Index

from .embeddings import write_vectors
from .errors import FicheNotFound, IndexCorrupt
from .fiche import Fiche
from .generations import (CURRENT_FILE, GENERATIONS_DIR, UNLISTED, Generation, generations_before,
                          named_in_current, open_current, open_generation, read_current, served_name,
                          write_manifest)
from .parallel import _deferred_interrupt, _write_all, default_procs
from .retired import record_retired, retire_removed
from .schema import build_schema, fiche_document
from .writer_lock import build_lock

__all__ = ["CURRENT_FILE", "GENERATIONS_DIR", "BuildReport", "Generation", "add_fiches", "build_index",
           "build_lock", "fall_back_to_previous", "open_current", "open_generation", "read_current",
           "remove_fiche"]


@dataclass(frozen=True)
class BuildReport:
    generation: Generation
    indexed: int
    seconds: float

def _generations_dir(root: Path) -> Path:
    """ROOT/generations, replacing a stray file of that name (a damaged index) by the folder."""
    directory = root / GENERATIONS_DIR
    if directory.exists() and not directory.is_dir():
        directory.unlink()
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _new_generation(root: Path) -> Generation:
    name = f"{time.time_ns():020d}-{os.getpid()}"
    path = _generations_dir(root) / name
    path.mkdir()
    return Generation(name, path)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(path: Path) -> None:
    for file in path.iterdir():
        if file.is_file():
            with open(file, "rb") as handle:
                os.fsync(handle.fileno())
    _fsync_dir(path)


def _point_current_at(root: Path, generation: Generation) -> None:
    """The atomic rename of CURRENT; its temporary file is removed if writing it fails (disk full)."""
    tmp = root / f"{CURRENT_FILE}.{os.getpid()}.tmp"
    try:
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(generation.name + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, root / CURRENT_FILE)
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(root)


def _switch_to(root: Path, generation: Generation) -> None:
    """Make `generation` the served one: manifest, sync, then an atomic rename of the CURRENT file."""
    write_manifest(generation.path)
    _fsync_tree(generation.path)
    _point_current_at(root, generation)


def _previous_of(root: Path, name: str | None) -> str | None:
    """The generation served before `name` (the newest switched-to one older than it)."""
    if name is None:
        return None
    older = generations_before(root, name)
    return older[0].name if older else None


def _remove_generations_except(root: Path, keepers: set[str | None]) -> None:
    """Removes every other entry of generations/ and every CURRENT.*.tmp (the caller holds the lock)."""
    directory = root / GENERATIONS_DIR
    if directory.is_dir():
        for entry in directory.iterdir():
            if entry.name in keepers:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
    for tmp in root.glob(f"{CURRENT_FILE}.*.tmp"):
        if tmp.is_dir() and not tmp.is_symlink():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)


def _remove_leftovers(root: Path) -> None:
    """Before writing: what crashed or interrupted builds left (generations never served, CURRENT.*.tmp).

    Keeps the served generation and the one before it, so a build never
    needs more room than one new generation.
    """
    served = served_name(root)
    _remove_generations_except(root, {served, _previous_of(root, served)})


def _remove_old_generations(root: Path, previous: str | None) -> None:
    """After a switch: keeps the served generation and the one served before it (readers may still hold it)."""
    _remove_generations_except(root, {read_current(root).name, previous})


def _update_documents(ix: Index, fiches: list[Fiche]) -> None:
    """Adds or replaces a few fiches with Whoosh's own writer (one new segment, merged as Whoosh sees fit)."""
    with _deferred_interrupt() as check_interrupt:
        writer = ix.writer(limitmb=256, compound=False)
        try:
            for fiche in fiches:
                check_interrupt()
                writer.update_document(**fiche_document(fiche))
            writer.commit()
        except BaseException:
            writer.cancel()
            raise


@contextmanager
def _discard_on_failure(root: Path, generation: Generation) -> Iterator[None]:
    """Removes a generation that will not be served (error, Ctrl-C, disk full) before re-raising.

    A generation that CURRENT already names (the rename happened, syncing the
    folder failed) is kept: it is being served.
    """
    try:
        yield
    except BaseException:
        if served_name(root) != generation.name:
            shutil.rmtree(generation.path, ignore_errors=True)
        raise


def build_index(fiches: list[Fiche], root: Path, *, procs: int | None = None,
                show_progress: bool = False,
                before_switch: Callable[[Generation], None] | None = None,
                lock_timeout: float = 600.0, embed: bool | None = None) -> BuildReport:
    """Writes all fiches into a fresh generation and serves it once complete.

    `embed`: write the semantic vectors (None: unless SEARCH_SEMANTIC=false).
    """
    root = Path(root)
    started = time.monotonic()
    with build_lock(root, lock_timeout):
        _remove_leftovers(root)
        previous = served_name(root)
        generation = _new_generation(root)
        with _discard_on_failure(root, generation):
            ix = whoosh_index.create_in(str(generation.path), build_schema())
            _write_all(ix, fiches, procs=procs or default_procs(), show_progress=show_progress)
            write_vectors(generation.path, root, enabled=embed, show_progress=show_progress)
            record_retired(root / GENERATIONS_DIR / previous if previous else None, generation.path, fiches)
            if before_switch:
                before_switch(generation)
            _switch_to(root, generation)
        _remove_old_generations(root, previous)
    return BuildReport(generation, len(fiches), time.monotonic() - started)


def fall_back_to_previous(root: Path, lock_timeout: float = 600.0) -> Generation | None:
    """Serves again the newest intact generation older than the damaged one CURRENT names.

    Each candidate is fully verified (sizes and CRC-32). None when CURRENT is
    unusable or no older generation is intact; the served index is then unchanged.
    """
    root = Path(root)
    with build_lock(root, lock_timeout):
        try:
            damaged = named_in_current(root)
        except IndexCorrupt:
            return None
        for candidate in generations_before(root, damaged):
            try:
                open_generation(candidate, verify=True).close()
            except IndexCorrupt:
                continue
            _point_current_at(root, candidate)
            return candidate
    return None


def _copy_generation(root: Path, source: Generation) -> Generation:
    """A new generation sharing the (immutable) segment files of `source` by hard link."""
    target = _new_generation(root)
    for file in source.path.iterdir():
        if file.name.endswith(".lock") or file.name in UNLISTED:
            continue
        try:
            os.link(file, target.path / file.name)
        except OSError:
            shutil.copy2(file, target.path / file.name)
    return target


@contextmanager
def _next_generation(root: Path, lock_timeout: float) -> Iterator[Index]:
    """Yields a writable copy of the served index; serves it if the block succeeds."""
    root = Path(root)
    with build_lock(root, lock_timeout):
        _remove_leftovers(root)
        current = read_current(root)
        open_generation(current, verify=True).close()
        generation = _copy_generation(root, current)
        with _discard_on_failure(root, generation):
            yield open_generation(generation)
            write_vectors(generation.path, root)
            _switch_to(root, generation)
        _remove_old_generations(root, current.name)


def add_fiches(fiches: list[Fiche], root: Path, lock_timeout: float = 600.0) -> Generation:
    """Inserts fiches, replacing those with the same id, as a new generation.

    With no fiche to add, the served generation stays as it is.
    """
    if not fiches:
        return read_current(root)
    with _next_generation(root, lock_timeout) as ix:
        _update_documents(ix, fiches)
    return read_current(root)


def _retire(ix: Index, fiche_id: str) -> None:
    """Keeps the removed fiche's title and place, so its URL answers "gone" rather than "not found"."""
    with ix.searcher() as searcher:
        docnum = searcher.document_number(id=fiche_id)
        if docnum is not None:
            retire_removed(Path(ix.storage.folder), json.loads(searcher.stored_fields(docnum)["record"]))


def remove_fiche(fiche_id: str, root: Path, lock_timeout: float = 600.0) -> Generation:
    """Removes one fiche as a new generation; FicheNotFound (served index unchanged) if absent."""
    with _next_generation(root, lock_timeout) as ix:
        _retire(ix, fiche_id)
        writer = ix.writer(compound=False)
        removed = writer.delete_by_term("id", fiche_id)
        if not removed:
            writer.cancel()
            raise FicheNotFound(fiche_id)
        writer.commit()
    return read_current(root)
