"""Exports of a selection of fiches: streamed CSV (French spreadsheets) or JSON Lines, and their file names.

Rows are produced chunk by chunk from document numbers, each fiche's stored
record read on its own, so memory stays constant whatever the selection's
size. CSV is what a French spreadsheet opens directly: UTF-8 with a BOM, `;`
between cells, list values joined with " | ", and every cell a spreadsheet
would take for a formula (starting with = + - @, a tab or a carriage return)
prefixed with an apostrophe so it shows as text.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import fields

import numpy as np

from indexer.fiche import SPECS_BY_NAME, Fiche
from indexer.parse import slugify
from indexer.schema import FACET_LABELS, PUBLIC_FACETS

from .results import SearchRequest

FORMATS = ("csv", "jsonl")
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}
CHUNK = 256
LIST_SEPARATOR = " | "
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_INTERNAL_FIELDS = frozenset({"source_file", "source_line"})
_HEADINGS = {"id": "Identifiant", "title": "Titre", "department": "Département", "year": "Année",
             "url": "Adresse de la fiche"}
MAX_NAME_PARTS = 6
MAX_NAME_CHARS = 100


def export_fields() -> list[str]:
    """Exported fields, in order: every field of a fiche (new ones included automatically), then its URL."""
    return [f.name for f in fields(Fiche) if f.name not in _INTERNAL_FIELDS] + ["url"]


def column_heading(name: str) -> str:
    if name in _HEADINGS:
        return _HEADINGS[name]
    spec = SPECS_BY_NAME.get(name)
    if spec is not None:
        return spec.heading
    return FACET_LABELS.get(name, name)


def neutralize(cell: str) -> str:
    """A cell a spreadsheet shows as text, never evaluates (formula injection)."""
    return f"'{cell}" if cell.startswith(FORMULA_STARTS) else cell


def csv_cell(value) -> str:
    if isinstance(value, list):
        value = LIST_SEPARATOR.join(str(item) for item in value)
    elif value is None:
        value = ""
    return neutralize(str(value))


def export_records(read_record: Callable[[int], dict], docnums: np.ndarray,
                   url_for_id: Callable[[str], str]) -> Iterator[dict]:
    """Each selected fiche's record (export fields only) with its URL, in the selection's order."""
    names = export_fields()
    for start in range(0, len(docnums), CHUNK):
        for docnum in docnums[start:start + CHUNK].tolist():
            record = read_record(docnum)
            record["url"] = url_for_id(record.get("id", ""))
            yield {name: record.get(name, "") for name in names}


def csv_chunks(records: Iterable[dict]) -> Iterator[bytes]:
    """The CSV file in pieces: BOM and header first, then one row per fiche, CHUNK rows per piece."""
    names = export_fields()
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([column_heading(name) for name in names])
    yield "\ufeff".encode() + buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    rows = 0
    for record in records:
        writer.writerow([csv_cell(record[name]) for name in names])
        rows += 1
        if rows % CHUNK == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


def jsonl_chunks(records: Iterable[dict]) -> Iterator[bytes]:
    """One JSON object per line, CHUNK lines per piece."""
    lines: list[str] = []
    for record in records:
        lines.append(json.dumps(record, ensure_ascii=False))
        if len(lines) == CHUNK:
            yield ("\n".join(lines) + "\n").encode("utf-8")
            lines = []
    if lines:
        yield ("\n".join(lines) + "\n").encode("utf-8")


def export_chunks(fmt: str, records: Iterable[dict]) -> Iterator[bytes]:
    return csv_chunks(records) if fmt == "csv" else jsonl_chunks(records)


def export_filename(request: SearchRequest, fmt: str) -> str:
    """A name that says what was exported: `actions-somme-2019.csv`, `actions-jardin-isere.jsonl`.

    The query's words come first, then filter values in facet order; ASCII only.
    """
    parts = [slugify(request.query, 40)] if request.query.strip() else []
    filters = dict(request.filters)
    for name in PUBLIC_FACETS:
        parts += [slugify(value, 30) for value in filters.get(name, ())]
    parts = [part for part in parts if part and part != "action"][:MAX_NAME_PARTS]
    stem = "-".join(["actions", *parts])[:MAX_NAME_CHARS].rstrip("-")
    return f"{stem}.{fmt}"
