"""Figures of a selection of fiches: actions per value of every public facet, budgets when numeric.

Counts are over the selection itself (every filter applied, unlike the
disjunctive counts of the search sidebar): "of these actions, how many per
year, per dimension…". Every facet of `PUBLIC_FACETS` gets a figure, so a
facet added to the index appears here without change. Counting uses the
facet arrays of the snapshot, never the stored fiches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from indexer.schema import FACET_LABELS, PUBLIC_FACETS

from .snapshot import Snapshot

TOP_VALUES = 25
"""Values shown per figure (the most frequent), except for the facets below, shown whole."""
WHOLE_FACETS = frozenset({"year", "department", "region", "dimension", "status"})
CHRONOLOGICAL_FACETS = frozenset({"year"})
BUDGET_FACET = "budget"
BUDGET_BOUNDS = (1_000, 5_000, 20_000, 100_000)
_AMOUNT = re.compile(r"^\D*?(\d[\d\s\u202f\u00a0.]*)(?:,\d+)?\s*(k|K)?\s*(€|euros?)?\s*$")


@dataclass(frozen=True)
class Figure:
    facet: str
    label: str
    rows: list[tuple[str, int]]
    hidden_values: int
    """Values with actions left out of `rows` (beyond the top ones)."""


@dataclass(frozen=True)
class BudgetSummary:
    fiches: int
    median: float
    bands: list[tuple[str, int]]


@dataclass(frozen=True)
class Statistics:
    total: int
    figures: dict[str, Figure]
    budget: BudgetSummary | None


def selection_mask(snapshot: Snapshot, docnums: np.ndarray) -> np.ndarray:
    mask = np.zeros(snapshot.facets.doc_count, dtype=bool)
    mask[docnums] = True
    return mask


def selection_statistics(snapshot: Snapshot, docnums: np.ndarray) -> Statistics:
    """Per public facet, the selection's actions per value; a budget summary if budgets are amounts."""
    counted = snapshot.facets.disjunctive_counts(selection_mask(snapshot, docnums), {}, limit=1 << 30)
    figures = {}
    for name in PUBLIC_FACETS:
        rows = [(value, count) for value, count, _ in counted.get(name, []) if count]
        figures[name] = _figure(name, rows)
    budget_rows = [(value, count) for value, count, _ in counted.get(BUDGET_FACET, []) if count]
    return Statistics(len(docnums), figures, budget_summary(budget_rows) if budget_rows else None)


def _figure(name: str, rows: list[tuple[str, int]]) -> Figure:
    if name in CHRONOLOGICAL_FACETS:
        rows = sorted(rows, key=lambda row: row[0])
    shown = rows if name in WHOLE_FACETS else rows[:TOP_VALUES]
    return Figure(name, FACET_LABELS.get(name, name), shown, len(rows) - len(shown))


def parse_amount(value: str) -> float | None:
    """`12 500 €`, `12500`, `3,5 k€` → a number of euros; None when the value is not one amount (a band)."""
    match = _AMOUNT.match(value.strip())
    if not match:
        return None
    digits = re.sub(r"[\s\u202f\u00a0.]", "", match.group(1))
    if not digits:
        return None
    amount = float(digits)
    return amount * 1000 if match.group(2) else amount


def budget_summary(rows: list[tuple[str, int]]) -> BudgetSummary | None:
    """Median and bands of budgets when the facet's values are amounts; None when they are not (bands already)."""
    amounts = [(parse_amount(value), count) for value, count in rows]
    if any(amount is None for amount, _ in amounts):
        return None
    values = np.repeat(np.array([a for a, _ in amounts], dtype=float), [c for _, c in amounts])
    labels = _band_labels()
    bands = np.bincount(np.searchsorted(BUDGET_BOUNDS, values, side="right"), minlength=len(labels))
    return BudgetSummary(len(values), float(np.median(values)), list(zip(labels, bands.tolist())))


def _band_labels() -> list[str]:
    def euros(amount: int) -> str:
        return f"{amount:,}".replace(",", "\u202f") + " €"

    labels = [f"moins de {euros(BUDGET_BOUNDS[0])}"]
    labels += [f"de {euros(low)} à {euros(high)}" for low, high in zip(BUDGET_BOUNDS, BUDGET_BOUNDS[1:])]
    labels.append(f"{euros(BUDGET_BOUNDS[-1])} et plus")
    return labels


def statistics_to_dict(stats: Statistics) -> dict:
    return {
        "total": stats.total,
        "figures": {name: {"label": figure.label,
                           "values": [{"value": value, "count": count} for value, count in figure.rows],
                           "hidden_values": figure.hidden_values}
                    for name, figure in stats.figures.items()},
        "budget": None if stats.budget is None else {
            "fiches": stats.budget.fiches, "median": stats.budget.median,
            "bands": [{"band": band, "count": count} for band, count in stats.budget.bands]},
    }
