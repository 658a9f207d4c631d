"""Reading the generations of an index root: which one is served, and whether its files are intact.

Layout of an index root::

    ROOT/CURRENT              name of the generation being served (replaced atomically)
    ROOT/generations/NAME/    one complete Whoosh index per generation, with
                              generation.json listing its files, sizes and CRC-32
    ROOT/build.lock           held (flock) by the one process writing

The manifest is written when a generation is switched to. Opening checks the
sizes (cheap); `verify=True` also recomputes every file's CRC-32 (about
2 GB/s), which catches damage that keeps the size, such as a block of a
postings file overwritten. Writing generations is `indexer/build.py`.
"""

from __future__ import annotations

import json
import os
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import Index

from .errors import IndexCorrupt, IndexNotFound

CURRENT_FILE = "CURRENT"
GENERATIONS_DIR = "generations"
MANIFEST_FILE = "generation.json"
UNLISTED = frozenset({"MAIN_WRITELOCK", MANIFEST_FILE, f"{MANIFEST_FILE}.tmp"})
GENERATION_NAME = re.compile(r"[0-9A-Za-z][0-9A-Za-z_.-]{0,99}")
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Generation:
    name: str
    path: Path


def named_in_current(root: Path) -> str:
    """The generation name CURRENT holds (which may be absent); IndexNotFound, IndexCorrupt."""
    root = Path(root)
    try:
        raw = (root / CURRENT_FILE).read_bytes()
    except FileNotFoundError:
        raise IndexNotFound(str(root)) from None
    except OSError as exc:
        raise IndexCorrupt(str(root), f"fichier CURRENT illisible : {exc.strerror or exc}") from exc
    name = raw.decode("utf-8", errors="replace").strip()
    if not GENERATION_NAME.fullmatch(name):
        raise IndexCorrupt(str(root), "le fichier CURRENT ne contient pas un nom de génération valide")
    return name


def read_current(root: Path) -> Generation:
    """The generation being served; IndexNotFound if there is none, IndexCorrupt if CURRENT is unusable."""
    root = Path(root)
    name = named_in_current(root)
    path = root / GENERATIONS_DIR / name
    if not path.is_dir():
        raise IndexCorrupt(str(root), f"la génération « {name} » désignée par CURRENT est absente")
    return Generation(name, path)


def served_name(root: Path) -> str | None:
    """The served generation's name, None if there is none or CURRENT is unusable."""
    try:
        return read_current(root).name
    except (IndexNotFound, IndexCorrupt):
        return None


def indexed_files(path: Path) -> dict[str, int]:
    """Whoosh's files of a generation (what the manifest lists), with their sizes."""
    return {file.name: file.stat().st_size for file in sorted(path.iterdir())
            if file.is_file() and file.name not in UNLISTED and not file.name.endswith(".lock")}


def file_crc32(path: Path) -> int:
    crc = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            crc = zlib.crc32(chunk, crc)
    return crc


def write_manifest(path: Path) -> None:
    """Lists the generation's files with their sizes and CRC-32 (`generation.json`)."""
    files = indexed_files(path)
    manifest = {"files": files, "crc32": {name: file_crc32(path / name) for name in files}}
    tmp = path / f"{MANIFEST_FILE}.tmp"
    tmp.write_text(json.dumps(manifest, indent=0), encoding="utf-8")
    os.replace(tmp, path / MANIFEST_FILE)


def has_manifest(generation: Generation) -> bool:
    return (generation.path / MANIFEST_FILE).is_file()


def _read_manifest(generation: Generation) -> tuple[dict[str, int], dict[str, int]] | None:
    try:
        manifest = json.loads((generation.path / MANIFEST_FILE).read_text(encoding="utf-8"))
        sizes = {str(name): int(size) for name, size in manifest["files"].items()}
        crcs = {str(name): int(crc) for name, crc in manifest.get("crc32", {}).items()}
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise IndexCorrupt(str(generation.path), f"liste des fichiers {MANIFEST_FILE} illisible") from exc
    return sizes, crcs


def _check_sizes(generation: Generation, expected: dict[str, int]) -> None:
    present = indexed_files(generation.path)
    for name, size in expected.items():
        if name not in present:
            raise IndexCorrupt(str(generation.path), f"fichier « {name} » manquant")
        if present[name] != size:
            raise IndexCorrupt(str(generation.path),
                               f"fichier « {name} » tronqué ou modifié ({present[name]} octets au lieu de {size})")


def _check_contents(generation: Generation, crcs: dict[str, int]) -> None:
    for name, crc in crcs.items():
        try:
            actual = file_crc32(generation.path / name)
        except OSError as exc:
            raise IndexCorrupt(str(generation.path), f"fichier « {name} » illisible : {exc.strerror}") from exc
        if actual != crc:
            raise IndexCorrupt(str(generation.path), f"fichier « {name} » endommagé (somme de contrôle différente)")


def verify_generation(generation: Generation) -> None:
    """IndexCorrupt unless every listed file has its recorded size and CRC-32 (no manifest: sizes unknown, passes)."""
    manifest = _read_manifest(generation)
    if manifest is not None:
        _check_sizes(generation, manifest[0])
        _check_contents(generation, manifest[1])


def open_generation(generation: Generation, verify: bool = False) -> Index:
    """Opens a generation and its segments; IndexCorrupt if any of its files is damaged or missing.

    Checks the manifest's sizes, the table of contents, the term dictionaries
    and the first stored record; with `verify`, every file's CRC-32 too
    (otherwise damage inside a postings list that keeps the file's size only
    shows when a search reads it).
    """
    manifest = _read_manifest(generation)
    if manifest is not None:
        _check_sizes(generation, manifest[0])
    try:
        ix = whoosh_index.open_dir(str(generation.path))
        with ix.reader() as reader:
            if reader.doc_count_all():
                reader.stored_fields(0)
    except Exception as exc:  # whoosh raises many kinds on damaged files
        raise IndexCorrupt(str(generation.path),
                           f"fichiers d'index endommagés ou manquants : {type(exc).__name__}") from exc
    if verify and manifest is not None:
        try:
            _check_contents(generation, manifest[1])
        except IndexCorrupt:
            ix.close()
            raise
    return ix


def open_current(root: Path, verify: bool = False) -> tuple[Generation, Index]:
    generation = read_current(root)
    return generation, open_generation(generation, verify)


def generations_before(root: Path, name: str) -> list[Generation]:
    """Switched-to generations (with a manifest) older than `name`, newest first."""
    directory = Path(root) / GENERATIONS_DIR
    if not directory.is_dir():
        return []
    found = [Generation(entry.name, entry) for entry in directory.iterdir()
             if entry.name < name and GENERATION_NAME.fullmatch(entry.name)
             and entry.is_dir() and not entry.is_symlink()]
    return sorted((g for g in found if has_manifest(g)), key=lambda g: g.name, reverse=True)


def served_fiche_count(root: Path) -> int | None:
    """Fiches in the served generation; None if there is none or it cannot be opened."""
    try:
        generation, ix = open_current(root)
    except (IndexNotFound, IndexCorrupt):
        return None
    try:
        return ix.doc_count()
    finally:
        ix.close()
