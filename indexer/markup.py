"""The corpus format's structural lines: label keys, `- Label` lines, the `Actions` marker, the header table.

Shared by the parser and by `indexer/render.py`, which writes fiches back in
the same format.
"""

from __future__ import annotations

import re
from functools import lru_cache

from unidecode import unidecode

from .decoding import _Line
from .fiche import FIELD_SPECS, FieldSpec


BLOCK_MARKER = "actions"


_WHITESPACE = re.compile(r"\s+")


@lru_cache(maxsize=65_536)
def normalize_label(text: str) -> str:
    """Key under which a label is recognised: accents, case, spaces and apostrophe styles ignored."""
    return _WHITESPACE.sub("", unidecode(text.replace("’", "'")).lower())


PARTNERS_SUBHEADING = normalize_label("Partenaires d'action:")

LABELS: dict[str, list[FieldSpec]] = {}
for _spec in FIELD_SPECS:
    LABELS.setdefault(normalize_label(_spec.label), []).append(_spec)

# Lines with more non-space characters are never labels (spares unidecode on
# every long bullet of free text); twice the longest label leaves room for
# decomposed accents.
MAX_LABEL_CHARS = 2 * max(len(key) for key in LABELS)


def is_marker_text(text: str) -> bool:
    """True for a line that reads `Actions` (any case, any surrounding spaces)."""
    return text.strip().lower() == BLOCK_MARKER


def label_specs(text: str) -> list[FieldSpec] | None:
    """The field(s) a `- Label` line opens, or None for any other line."""
    stripped = text.strip()
    if not stripped.startswith("-"):
        return None
    compact = _WHITESPACE.sub("", stripped[1:])
    if len(compact) > MAX_LABEL_CHARS:
        return None
    return LABELS.get(normalize_label(compact))


def is_structural_line(text: str) -> bool:
    """A line the parser reads as format (block marker or known label), never as content."""
    return is_marker_text(text) or label_specs(text) is not None


def _split_header_row(text: str) -> tuple[str, str, str] | None:
    row = text.strip()
    if row.endswith("|"):
        row = row[:-1]
    parts = row.rsplit("|", 2)
    if len(parts) != 3:
        return None
    name, department, year = (part.strip() for part in parts)
    return name, department, year


_RULE_CELL = re.compile(r":?-+:?")


def is_table_rule(text: str) -> bool:
    """The `---|---|---|` line under a table head: every cell made of dashes (and alignment colons)."""
    cells = text.strip().strip("|").split("|")
    return all(_RULE_CELL.fullmatch(cell.strip()) for cell in cells)


def parse_header(lines: list[_Line]) -> list[tuple[str, str, str]]:
    """Rows of the optional `Nom | Département | Année` table (unreadable rows skipped)."""
    rows: list[tuple[str, str, str]] = []
    in_table = False
    for line in lines:
        if not in_table:
            in_table = (not line.error and "|" in line.text
                        and normalize_label(line.text).startswith("nom|departement|annee"))
            continue
        if line.error or not line.text.strip() or is_table_rule(line.text):
            continue
        row = _split_header_row(line.text)
        if row is None:
            break
        rows.append(row)
    return rows


class _HeaderIndex:
    """Hands out header rows by title, in order, so duplicate titles each get theirs."""

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        self.by_key: dict[str, list[tuple[str, str]]] = {}
        for name, department, year in rows:
            self.by_key.setdefault(normalize_label(name), []).append((department, year))

    def take(self, title: str) -> tuple[str, str] | None:
        queue = self.by_key.get(normalize_label(title))
        return queue.pop(0) if queue else None

