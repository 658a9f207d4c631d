"""Number filters (budget, participants): one value per document as an array, masks for ranges."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .postings import read_postings


class NumberColumns:
    """Each range field's number per document (NaN where the fiche gives none)."""

    def __init__(self, columns: dict[str, np.ndarray]) -> None:
        self.columns = columns

    @classmethod
    def from_reader(cls, reader, names: Iterable[str]) -> NumberColumns:
        doc_count = reader.doc_count_all()
        columns = {}
        for name in names:
            column = np.full(doc_count, np.nan)
            if name in reader.indexed_field_names():
                for term in reader.lexicon(name):
                    value = term.decode("utf-8") if isinstance(term, bytes) else term
                    if value.isdigit():
                        ids, _ = read_postings(reader, name, value)
                        column[ids] = float(value)
            columns[name] = column
        return cls(columns)

    def mask(self, ranges: Iterable[tuple[str, int | None, int | None]]) -> np.ndarray | None:
        """Documents whose numbers lie within every range (bounds included); None without ranges."""
        out = None
        for name, low, high in ranges:
            column = self.columns[name]
            inside = ~np.isnan(column)
            if low is not None:
                inside &= column >= low
            if high is not None:
                inside &= column <= high
            out = inside if out is None else out & inside
        return out
