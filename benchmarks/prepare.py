"""The benchmark's work directory: options, and the generated corpus, our indexes and the peers' indexes reused between runs.

Each artefact has a JSON marker beside it (`NAME.json`) written once it is
complete; an artefact without its marker, or built by other code (the
fingerprint of the sources that made it changed), is made again.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click

from indexer.build import build_index, read_current
from indexer.fiche import Fiche

from .generate import write_corpus

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_WORKDIR = Path(__file__).resolve().parent / "out"


def log(message: str) -> None:
    click.echo(f"[bench] {message}", err=True)


@dataclass(frozen=True)
class Options:
    n: int
    seed: int
    files: int
    workdir: Path
    rebuild: bool
    skip_http: bool
    skip_sqlite: bool
    duration: float
    http_duration: float
    http_requests: int
    builds: tuple[int, ...] = (1, 2)
    skip_tantivy: bool = False

    @property
    def tag(self) -> str:
        return f"n{self.n}-s{self.seed}-f{self.files}"


def _marker(path: Path) -> Path:
    return path.parent / (path.name + ".json")


def _read_marker(path: Path) -> dict | None:
    try:
        return json.loads(_marker(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write_marker(path: Path, data: dict) -> None:
    _marker(path).write_text(json.dumps(data), encoding="utf-8")


def _discard(path: Path) -> None:
    _marker(path).unlink(missing_ok=True)
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def size_on_disk(path: Path) -> int:
    """Bytes of a file, or of every file under a directory."""
    if path.is_dir():
        return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    return path.stat().st_size


def sources_fingerprint(*paths: Path) -> str:
    """Hash of source files: an artefact built by other code is not reused."""
    digest = hashlib.sha1()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def indexer_fingerprint() -> str:
    return sources_fingerprint(*sorted((PROJECT_DIR / "indexer").glob("*.py")))


def prepare_corpus(opts: Options) -> tuple[Path, dict]:
    path = opts.workdir / f"corpus-{opts.tag}"
    done = None if opts.rebuild else _read_marker(path)
    if done is not None and path.is_dir():
        return path, {**done, "reused": True}
    _discard(path)
    log(f"génération de {opts.n} fiches dans {path}")
    started = time.perf_counter()
    files = write_corpus(opts.n, path, opts.seed, opts.files)
    info = {"seconds": time.perf_counter() - started, "files": len(files),
            "bytes": sum(f.stat().st_size for f in files)}
    _write_marker(path, info)
    return path, {**info, "reused": False}


def prepare_index(fiches: list[Fiche], opts: Options, procs: int) -> tuple[Path, dict]:
    root = opts.workdir / f"index-{opts.tag}-p{procs}"
    done = None if opts.rebuild else _read_marker(root)
    if done is not None and done.get("indexer") == indexer_fingerprint() and (root / "CURRENT").exists():
        return root, {**done, "reused": True}
    _discard(root)
    log(f"construction de l'index ({procs} processus) dans {root}")
    fingerprint = indexer_fingerprint()
    report = build_index(fiches, root, procs=procs, embed=False)
    generation = read_current(root)
    info = {"seconds": report.seconds, "indexed": report.indexed, "indexer": fingerprint,
            "bytes": sum(f.stat().st_size for f in generation.path.iterdir() if f.is_file()),
            "segments": len(list(generation.path.glob("*.seg"))) or len(list(generation.path.glob("*_*.trm")))}
    _write_marker(root, info)
    return root, {**info, "reused": False}


def prepare_peer(label: str, path: Path, build: Callable[[list[Fiche], Path], float], source: Path,
                 fiches: list[Fiche], opts: Options) -> tuple[Path, dict]:
    """A peer's index at `path`, made by `build(fiches, path)` (seconds) unless the one there is current."""
    fingerprint = sources_fingerprint(source)
    done = None if opts.rebuild else _read_marker(path)
    if done is not None and done.get("source") == fingerprint and path.exists():
        return path, {**done, "reused": True}
    _discard(path)
    log(f"construction de l'index {label} {path}")
    info = {"seconds": build(fiches, path), "source": fingerprint}
    info["bytes"] = size_on_disk(path)
    _write_marker(path, info)
    return path, {**info, "reused": False}
