"""Writing the index: atomic generations, so a reader never sees a half-built index.

The layout of an index root and the reading side are `indexer/generations.py`.
A build writes a new generation beside the served one and switches CURRENT
only once it is committed and synced. A crash or SIGKILL mid-build leaves
CURRENT pointing at the previous, complete generation; the next build removes
the leftover. The lock is an flock, released by the kernel when its holder
dies, so a dead writer never leaves a stale lock behind.

A full build writes one segment per process (`indexer/segment.py`): the
first slice of the fiches here, the others in forked children, which would
inherit the lock and outlive a killed parent. Children forked during a build
therefore close their copy of the lock, leave Ctrl-C to the parent (which
stops them) and ask the kernel to kill them when the parent dies.
"""

from __future__ import annotations

import json
import ctypes
import errno
import fcntl
import multiprocessing
import os
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.codec import default_codec
from whoosh.codec.base import Segment
from whoosh.index import TOC, Index, clean_files

from .embeddings import write_vectors
from .errors import BuildBusy, BuildFailed, FicheNotFound, IndexCorrupt, describe_os_error
from .fiche import Fiche
from .generations import (CURRENT_FILE, GENERATIONS_DIR, UNLISTED, Generation, generations_before,
                          named_in_current, open_current, open_generation, read_current, served_name,
                          write_manifest)
from .retired import record_retired, retire_removed
from .schema import build_schema, fiche_document
from .segment import BulkSegmentWriter

LOCK_FILE = "build.lock"
PARALLEL_THRESHOLD = 2_000
_PR_SET_PDEATHSIG = 1
__all__ = ["CURRENT_FILE", "GENERATIONS_DIR", "BuildReport", "Generation", "add_fiches", "build_index",
           "build_lock", "fall_back_to_previous", "open_current", "open_generation", "read_current",
           "remove_fiche"]


@dataclass(frozen=True)
class BuildReport:
    generation: Generation
    indexed: int
    seconds: float


class _ForkGuard:
    """What a process forked during a build must do: drop our lock, die with its parent."""

    def __init__(self) -> None:
        self.lock_fds: set[int] = set()
        self.building = 0
        self.owner = os.getpid()
        self._mutex = threading.Lock()
        os.register_at_fork(after_in_child=self._after_fork_in_child)

    def _after_fork_in_child(self) -> None:
        for fd in self.lock_fds:
            try:
                os.close(fd)
            except OSError:
                pass
        self.lock_fds = set()
        if self.building:
            self.building = 0
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            _die_with_parent(self.owner)

    @contextmanager
    def holding(self, fd: int) -> Iterator[None]:
        with self._mutex:
            self.lock_fds.add(fd)
            self.building += 1
            self.owner = os.getpid()
        try:
            yield
        finally:
            with self._mutex:
                self.lock_fds.discard(fd)
                self.building -= 1


def _die_with_parent(parent: int) -> None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:
        os._exit(1)


_FORK_GUARD = _ForkGuard()


_HELD = threading.local()


@contextmanager
def build_lock(root: Path, timeout: float = 600.0) -> Iterator[None]:
    """Exclusive writer lock; waits up to `timeout` seconds for another writer.

    Re-entrant within one thread (the command line takes it before reading the
    corpus, then builds under it); another thread or process waits.
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    key = os.path.realpath(root)
    held: set[str] = getattr(_HELD, "roots", None) or set()
    _HELD.roots = held
    if key in held:
        yield
        return
    started = time.monotonic()
    fd = os.open(root / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                waited = time.monotonic() - started
                if waited >= timeout:
                    raise BuildBusy(str(root), waited) from None
                time.sleep(0.05)
        held.add(key)
        try:
            with _FORK_GUARD.holding(fd):
                yield
        finally:
            held.discard(key)
    finally:
        os.close(fd)


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


@contextmanager
def _deferred_interrupt() -> Iterator[Callable[[], None]]:
    """Holds Ctrl-C until the writer is between two documents (or done committing).

    An interrupt landing inside Whoosh or multiprocessing internals (while a
    worker is being forked, say) leaves workers untracked; here the first
    Ctrl-C is only noted and raised by the returned check, a second one
    interrupts at once. Only the main thread can handle signals; elsewhere
    the check does nothing.
    """
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler):
        yield lambda: None
        return
    pending: list[int] = []

    def note(signum, frame) -> None:
        if pending:
            raise KeyboardInterrupt
        pending.append(signum)

    def check() -> None:
        if pending:
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, note)
    try:
        yield check
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    check()


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


class _Progress:
    """A progress bar over all processes' documents; each child counts its own in shared memory."""

    def __init__(self, total: int, show: bool) -> None:
        self.own = 0
        self._children: list = []
        self._bar = None
        if show:
            from tqdm import tqdm
            self._bar = tqdm(total=total, desc="Indexation", unit="fiche", file=sys.stderr)

    def child_counter(self):
        counter = multiprocessing.get_context("fork").RawValue("q", 0)
        self._children.append(counter)
        return counter

    def advance(self) -> None:
        self.own += 1
        if self._bar is not None and self.own % 64 == 0:
            self.refresh()

    def refresh(self) -> None:
        if self._bar is not None:
            done = self.own + sum(counter.value for counter in self._children)
            self._bar.update(done - self._bar.n)

    def close(self) -> None:
        if self._bar is not None:
            self.refresh()
            self._bar.close()


def _write_segment(ix: Index, fiches: list[Fiche], count: Callable[[], None]) -> Segment:
    writer = BulkSegmentWriter(ix.storage, ix.schema, default_codec(), ix.indexname)
    try:
        for fiche in fiches:
            writer.add_document(fiche_document(fiche))
            count()
        return writer.finish()
    except BaseException:
        writer.cancel()
        raise


def _segment_worker(sender, ix: Index, fiches: list[Fiche], counter) -> None:
    """Runs in a forked child: writes one segment, sends it back (or a French error message)."""
    done = 0

    def count() -> None:
        nonlocal done
        done += 1
        if done % 64 == 0:
            counter.value = done

    try:
        segment = _write_segment(ix, fiches, count)
        counter.value = done
    except BaseException as exc:  # reported to the parent, which raises it
        detail = describe_os_error(exc) if isinstance(exc, OSError) else f"{type(exc).__name__} : {exc}"
        sender.send(("error", detail))
    else:
        sender.send(("segment", segment))
    finally:
        sender.close()


class _SegmentWorker:
    """A forked process writing the segment of one slice of the fiches."""

    def __init__(self, ix: Index, fiches: list[Fiche], counter) -> None:
        context = multiprocessing.get_context("fork")
        self._receiver, sender = context.Pipe(duplex=False)
        self._process = context.Process(target=_segment_worker, args=(sender, ix, fiches, counter),
                                        daemon=True)
        self._process.start()
        sender.close()

    def result(self, progress: _Progress, check_interrupt: Callable[[], None]) -> Segment:
        while not self._receiver.poll(0.2):
            check_interrupt()
            progress.refresh()
            if not self._process.is_alive() and not self._receiver.poll():
                break
        try:
            status, payload = self._receiver.recv()
        except EOFError:
            self._process.join()
            raise BuildFailed(f"processus arrêté (code {self._process.exitcode})") from None
        self._process.join()
        if status == "error":
            raise BuildFailed(payload)
        return payload

    def stop(self) -> None:
        if self._process.is_alive():
            self._process.terminate()
        self._process.join(timeout=5)
        self._receiver.close()


def _split(fiches: list[Fiche], parts: int) -> list[list[Fiche]]:
    """At most `parts` consecutive, non-empty slices."""
    size = max(1, -(-len(fiches) // parts))
    return [fiches[start:start + size] for start in range(0, len(fiches), size)]


def _write_all(ix: Index, fiches: list[Fiche], *, procs: int, show_progress: bool) -> None:
    """Writes every fiche into new segments, one per process, then lists them in the table of contents.

    The first slice is written here, the others by forked children; the
    segments keep the fiches' order (no fiche, no segment, as with Whoosh's
    writer). Nothing is visible before the table of contents is written.
    """
    parallel = procs > 1 and len(fiches) >= PARALLEL_THRESHOLD
    parts = _split(fiches, min(procs, len(fiches) * 2 // PARALLEL_THRESHOLD) if parallel else 1)
    progress = _Progress(len(fiches), show_progress)
    workers: list[_SegmentWorker] = []
    segments: list[Segment] = []
    try:
        with _deferred_interrupt() as check_interrupt:
            for part in parts[1:]:
                workers.append(_SegmentWorker(ix, part, progress.child_counter()))

            def count() -> None:
                check_interrupt()
                progress.advance()

            if parts:
                segments.append(_write_segment(ix, parts[0], count))
            segments += [worker.result(progress, check_interrupt) for worker in workers]
    except BaseException:
        for worker in workers:
            worker.stop()
        raise
    finally:
        progress.close()
    generation = ix.latest_generation() + 1
    TOC(ix.schema, segments, generation).write(ix.storage, ix.indexname)
    clean_files(ix.storage, ix.indexname, generation, segments)
    shutil.rmtree(Path(ix.storage.folder) / f"{ix.indexname}.tmp", ignore_errors=True)


def default_procs() -> int:
    return max(1, min(2, os.cpu_count() or 1))


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
