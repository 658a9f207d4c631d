"""Reading corpus files from disk: regular files only, bounded in size, never blocking.

A corpus folder is a place where accidents happen: a named pipe (FIFO) would
block a plain `read()` forever, a `*.txt` symlink to `/dev/zero` would read
until memory runs out, a folder may be called `x.txt`. A file is opened
without blocking, checked with `fstat` on the open descriptor (no race with a
rename), and read up to a size cap.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

_READ_CHUNK = 1 << 20


class SourceRejected(Exception):
    """A corpus path that is not read; `str()` is the French reason (without the path)."""


class NotRegularFile(SourceRejected):
    """A folder, FIFO, device or socket (possibly behind a symlink)."""


class FileTooLarge(SourceRejected):
    """A file above the size cap."""


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "un tube nommé (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "un périphérique"
    if stat.S_ISSOCK(mode):
        return "une socket"
    return "un fichier spécial"


def _size(size: int) -> str:
    if size < 1 << 20:
        return f"{size} octets"
    return f"{size / (1 << 20):.1f}".rstrip("0").rstrip(".").replace(".", ",") + " Mio"


def too_large_reason(size: int | None, limit: int) -> str:
    shown = f"{_size(size)}, maximum {_size(limit)}" if size is not None else f"plus de {_size(limit)}"
    return (f"fichier trop volumineux ({shown}) : ignoré ; "
            "découpez-le ou relevez SEARCH_MAX_FILE_BYTES")


def read_regular_file(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most `max_bytes`; SourceRejected otherwise.

    OSError (missing file, permission, a folder) propagates for the caller to describe.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | getattr(os, "O_NOCTTY", 0))
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(f"ce n'est pas un fichier ordinaire mais {_kind(info.st_mode)} : ignoré")
        if info.st_size > max_bytes:
            raise FileTooLarge(too_large_reason(info.st_size, max_bytes))
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, min(_READ_CHUNK, max_bytes + 1 - total))
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:
                raise FileTooLarge(too_large_reason(None, max_bytes))
    finally:
        os.close(fd)
