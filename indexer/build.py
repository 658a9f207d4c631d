"""Writing the index: atomic generations, so a reader never sees a half-built index.

Layout of an index root::

    ROOT/CURRENT              name of the generation being served (replaced atomically)
    ROOT/generations/NAME/    one complete Whoosh index per generation
    ROOT/build.lock           held (flock) by the one process writing

A build writes a new generation beside the served one and switches CURRENT
only once it is committed and synced. A crash or SIGKILL mid-build leaves
CURRENT pointing at the previous, complete generation; the next build removes
the leftover. The lock is an flock, released by the kernel when its holder
dies, so a dead writer never leaves a stale lock behind.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import Index

from .errors import BuildBusy, FicheNotFound, IndexCorrupt, IndexNotFound
from .fiche import Fiche
from .schema import build_schema, fiche_document

CURRENT_FILE = "CURRENT"
GENERATIONS_DIR = "generations"
LOCK_FILE = "build.lock"
PARALLEL_THRESHOLD = 2_000


@dataclass(frozen=True)
class Generation:
    name: str
    path: Path


@dataclass(frozen=True)
class BuildReport:
    generation: Generation
    indexed: int
    seconds: float


def read_current(root: Path) -> Generation:
    """The generation being served; IndexNotFound if there is none."""
    root = Path(root)
    try:
        name = (root / CURRENT_FILE).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise IndexNotFound(str(root)) from None
    path = root / GENERATIONS_DIR / name
    if not name or not path.is_dir():
        raise IndexCorrupt(str(root), f"la génération « {name} » désignée par CURRENT est absente")
    return Generation(name, path)


def open_generation(generation: Generation) -> Index:
    try:
        return whoosh_index.open_dir(str(generation.path))
    except Exception as exc:  # whoosh raises many kinds on damaged files
        raise IndexCorrupt(str(generation.path), f"{type(exc).__name__}: {exc}") from exc


def open_current(root: Path) -> tuple[Generation, Index]:
    generation = read_current(root)
    return generation, open_generation(generation)


@contextmanager
def build_lock(root: Path, timeout: float = 600.0) -> Iterator[None]:
    """Exclusive writer lock; waits up to `timeout` seconds for another writer."""
    root.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with open(root / LOCK_FILE, "a+") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                waited = time.monotonic() - started
                if waited >= timeout:
                    raise BuildBusy(str(root), waited) from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _new_generation(root: Path) -> Generation:
    name = f"{time.time_ns():020d}-{os.getpid()}"
    path = root / GENERATIONS_DIR / name
    path.mkdir(parents=True)
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


def _switch_to(root: Path, generation: Generation) -> None:
    """Make `generation` the served one: an atomic rename of the CURRENT file."""
    _fsync_tree(generation.path)
    tmp = root / f"{CURRENT_FILE}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(generation.name + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, root / CURRENT_FILE)
    _fsync_dir(root)


def _remove_old_generations(root: Path, keep: int = 2) -> None:
    """Keeps the served generation and the one before it (readers may still hold it)."""
    current = read_current(root).name
    names = sorted(p.name for p in (root / GENERATIONS_DIR).iterdir() if p.is_dir())
    served_and_older = [n for n in names if n <= current]
    keepers = set(served_and_older[-keep:]) | {current}
    for name in names:
        if name not in keepers:
            shutil.rmtree(root / GENERATIONS_DIR / name, ignore_errors=True)
    for tmp in root.glob(f"{CURRENT_FILE}.*.tmp"):
        tmp.unlink(missing_ok=True)


def _progress(items: list[Fiche], show: bool) -> Iterable[Fiche]:
    if not show:
        return items
    from tqdm import tqdm
    return tqdm(items, desc="Indexation", unit="fiche", file=sys.stderr)


def _write_documents(ix: Index, fiches: list[Fiche], *, procs: int, show_progress: bool,
                     replace: bool) -> None:
    multi = procs > 1 and len(fiches) >= PARALLEL_THRESHOLD
    writer = ix.writer(procs=procs if multi else 1, multisegment=multi, limitmb=256)
    try:
        for fiche in _progress(fiches, show_progress):
            document = fiche_document(fiche)
            if replace:
                writer.update_document(**document)
            else:
                writer.add_document(**document)
    except BaseException:
        writer.cancel()
        raise
    writer.commit()


def default_procs() -> int:
    return max(1, min(2, os.cpu_count() or 1))


def build_index(fiches: list[Fiche], root: Path, *, procs: int | None = None,
                show_progress: bool = False,
                before_switch: Callable[[Generation], None] | None = None) -> BuildReport:
    """Writes all fiches into a fresh generation and serves it once complete."""
    root = Path(root)
    started = time.monotonic()
    with build_lock(root):
        generation = _new_generation(root)
        ix = whoosh_index.create_in(str(generation.path), build_schema())
        _write_documents(ix, fiches, procs=procs or default_procs(),
                         show_progress=show_progress, replace=False)
        if before_switch:
            before_switch(generation)
        _switch_to(root, generation)
        _remove_old_generations(root)
    return BuildReport(generation, len(fiches), time.monotonic() - started)


def _copy_generation(root: Path, source: Generation) -> Generation:
    """A new generation sharing the (immutable) segment files of `source` by hard link."""
    target = _new_generation(root)
    for file in source.path.iterdir():
        if file.name.endswith(".lock"):
            continue
        try:
            os.link(file, target.path / file.name)
        except OSError:
            shutil.copy2(file, target.path / file.name)
    return target


@contextmanager
def _next_generation(root: Path) -> Iterator[Index]:
    """Yields a writable copy of the served index; serves it if the block succeeds."""
    root = Path(root)
    with build_lock(root):
        current = read_current(root)
        generation = _copy_generation(root, current)
        try:
            yield open_generation(generation)
        except BaseException:
            shutil.rmtree(generation.path, ignore_errors=True)
            raise
        _switch_to(root, generation)
        _remove_old_generations(root)


def add_fiches(fiches: list[Fiche], root: Path) -> Generation:
    """Inserts fiches, replacing those with the same id, as a new generation."""
    with _next_generation(root) as ix:
        _write_documents(ix, fiches, procs=1, show_progress=False, replace=True)
    return read_current(root)


def remove_fiche(fiche_id: str, root: Path) -> Generation:
    with _next_generation(root) as ix:
        writer = ix.writer()
        removed = writer.delete_by_term("id", fiche_id)
        if not removed:
            writer.cancel()
            raise FicheNotFound(fiche_id)
        writer.commit()
    return read_current(root)
