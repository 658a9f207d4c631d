"""A full build's segments: one consecutive slice of the fiches per process, a shared progress bar.

The first slice is written by the building process, the others by forked
children (`indexer/segment.py` writes each segment; the fork discipline is
`indexer/writer_lock.py`). Ctrl-C is held until the writer is between two
documents, so no worker is left untracked.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh.codec import default_codec
from whoosh.codec.base import Segment
from whoosh.index import TOC, Index, clean_files

from .errors import BuildFailed, describe_os_error
from .fiche import Fiche
from .schema import fiche_document
from .segment import BulkSegmentWriter

PARALLEL_THRESHOLD = 2_000


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
