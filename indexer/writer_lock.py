"""The exclusive writer lock of an index root, and what a process forked while it is held must do.

The lock is an flock, released by the kernel when its holder dies, so a dead
writer never leaves a stale lock behind. A full build forks children
(`indexer/parallel.py`), which would inherit the lock and outlive a killed
parent: children forked during a build therefore close their copy of the
lock, leave Ctrl-C to the parent (which stops them) and ask the kernel to
kill them when the parent dies.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import BuildBusy

LOCK_FILE = "build.lock"
_PR_SET_PDEATHSIG = 1


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
