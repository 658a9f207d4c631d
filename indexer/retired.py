"""Retired fiche ids: what a generation knows of the fiches that left the index, so old URLs keep an answer.

Each generation may hold `retired.json`: for every id that was served by an
earlier generation and is no longer, the fiche's title, structure,
département and year, and the id of the fiche that replaced it when there is
exactly one candidate (a fiche new in this generation with the same
structure, département and year). Entries are carried from generation to
generation until their id comes back. The search side answers such an id
with a redirect to its replacement, or "gone" with its title.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

from .fiche import Fiche
from .parse import identity_key

RETIRED_FILE = "retired.json"


@dataclass(frozen=True)
class RetiredFiche:
    id: str
    title: str
    structure: str
    department: str
    year: str
    replaced_by: str | None = None


def read_retired(generation_path: Path) -> dict[str, RetiredFiche]:
    """The generation's retired ids; empty when it has none or the file is unreadable (old URLs then 404)."""
    try:
        raw = json.loads((Path(generation_path) / RETIRED_FILE).read_text(encoding="utf-8"))
        return {key: RetiredFiche(**{name: value.get(name) for name in RetiredFiche.__dataclass_fields__})
                for key, value in raw["retired"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def write_retired(generation_path: Path, entries: dict[str, RetiredFiche]) -> None:
    """Replaces the file (never writes through a hard link shared with the previous generation)."""
    path = Path(generation_path) / RETIRED_FILE
    tmp = path.with_name(f"{RETIRED_FILE}.tmp")
    tmp.write_text(json.dumps({"retired": {key: asdict(entry) for key, entry in sorted(entries.items())}},
                              ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def _place_key(structure: str, department: str, year: str) -> tuple[str, str, str]:
    return identity_key(structure), identity_key(department), year.strip()


def _served_records(previous_path: Path, new_ids: set[str]) -> tuple[set[str], list[dict]]:
    """Every id the previous generation serves, and the records of those absent from `new_ids`.

    Without deletions every id of the lexicon is served; only the absent ones are looked up.
    """
    from whoosh import index as whoosh_index

    ix = whoosh_index.open_dir(str(previous_path))
    try:
        with ix.searcher() as searcher:
            reader = searcher.reader()
            ids = [term.decode("utf-8") if isinstance(term, bytes) else term for term in reader.lexicon("id")]
            docnums = {}
            for fiche_id in ids if reader.has_deletions() else (i for i in ids if i not in new_ids):
                docnum = searcher.document_number(id=fiche_id)
                if docnum is not None:
                    docnums[fiche_id] = docnum
            served = set(docnums) if reader.has_deletions() else set(ids)
            gone = [json.loads(reader.stored_fields(docnum)["record"])
                    for fiche_id, docnum in docnums.items() if fiche_id not in new_ids]
            return served, gone
    finally:
        ix.close()


def record_retired(previous_path: Path | None, target_path: Path, fiches: list[Fiche]) -> None:
    """Writes the new generation's retired ids: those the previous one served or had retired, absent now.

    Without a readable previous generation there is nothing to retire.
    """
    if previous_path is None:
        return
    new_ids = {fiche.id for fiche in fiches}
    try:
        served, gone = _served_records(Path(previous_path), new_ids)
    except Exception:  # an unreadable previous generation must never fail a build
        return
    newcomers: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for fiche in fiches:
        if fiche.id not in served:
            newcomers[_place_key(fiche.structure, fiche.department, fiche.year)].append(fiche.id)
    entries = {key: entry for key, entry in read_retired(Path(previous_path)).items() if key not in new_ids}
    for record in gone:
        candidates = newcomers.get(_place_key(record.get("structure", ""), record.get("department", ""),
                                              record.get("year", "")), [])
        entries[record["id"]] = RetiredFiche(record["id"], record.get("title", ""), record.get("structure", ""),
                                             record.get("department", ""), record.get("year", ""),
                                             candidates[0] if len(candidates) == 1 else None)
    if entries:
        write_retired(target_path, entries)


def retire_removed(generation_path: Path, record: dict) -> None:
    """Adds one removed fiche (no replacement) to a generation's retired ids."""
    entries = read_retired(generation_path)
    entries[record["id"]] = RetiredFiche(record["id"], record.get("title", ""), record.get("structure", ""),
                                         record.get("department", ""), record.get("year", ""), None)
    write_retired(generation_path, entries)
