"""The printed table of `benchmarks.run`: number formatting, rows, sections and the targets shown beside them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

LARGE = 30_000
BUILD_RATE_TARGET = 1000
FACET_OVERHEAD_TARGET = 0.30
CACHE_HIT_TARGET_MS = 1.0
COLD_START_TARGET_S = 2.0
RSS_TARGET = 1 << 30


def percentiles(values: Sequence[float]) -> dict[str, float]:
    if not values:
        return {"p50": float("nan"), "p95": float("nan"), "p99": float("nan"), "count": 0}
    p50, p95, p99 = np.percentile(np.asarray(values, dtype=float), [50, 95, 99])
    return {"p50": float(p50), "p95": float(p95), "p99": float(p99), "count": len(values)}


def ms(value: float) -> str:
    if value != value:
        return "–"
    if value < 1:
        return f"{value:.2f} ms"
    return f"{value:.1f} ms" if value < 100 else f"{value:,.0f} ms".replace(",", " ")


def number(value: float) -> str:
    return f"{value:,.0f}".replace(",", " ")


def ratio(ours: float, peer: float) -> str:
    """our/peer, with two significant figures (× 0.14, × 2.5, × 31)."""
    value = ours / peer if peer else float("inf")
    return f"{value:.2g}" if value < 10 else f"{value:.0f}"


def spread(stats: dict[str, float]) -> str:
    return f"{ms(stats['p50'])} / {ms(stats['p95'])} / {ms(stats['p99'])} (n={stats['count']})"


@dataclass
class Row:
    measure: str
    result: str
    target: str = ""
    ok: bool | None = None


@dataclass
class Report:
    title: str
    rows: list[Row] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    tables: list[Table] = field(default_factory=list)

    def add(self, measure: str, result: str, target: str = "", ok: bool | None = None) -> None:
        self.rows.append(Row(measure, result, target, ok))

    def section(self, name: str) -> None:
        self.rows.append(Row(f"**{name}**", ""))

    def markdown(self) -> str:
        lines = [f"### {self.title}", "", "| Mesure | Résultat | Cible | |", "|---|---|---|---|"]
        for row in self.rows:
            mark = "" if row.ok is None else ("✓" if row.ok else "✗")
            lines.append(f"| {row.measure} | {row.result} | {row.target} | {mark} |")
        return "\n\n".join(["\n".join(lines), *(table.markdown() for table in self.tables)])


@dataclass(frozen=True)
class Targets:
    """The figures of issue 5 for this corpus size."""

    search_p50: float
    search_p95: float
    similar_p50: float | None
    http_rps_32: float | None
    label: str

    @staticmethod
    def for_size(n: int) -> Targets:
        if n > LARGE:
            return Targets(60, 250, None, None, "100 000 fiches")
        return Targets(15, 60, 30, 300, "10 000 fiches")


@dataclass
class Table:
    """A table printed after the main one (the side-by-side comparison with the peers)."""

    title: str
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)

    def markdown(self) -> str:
        lines = [f"### {self.title}", "", "| " + " | ".join(self.headers) + " |",
                 "|" + "---|" * len(self.headers)]
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        return "\n".join(lines)
