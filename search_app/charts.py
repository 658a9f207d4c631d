"""Bar charts as geometry for inline SVG (the template draws them; every text is escaped there).

A chart is computed here (bar lengths, positions, the axis' maximum) and
rendered by `templates/_bar_chart.html` next to a table of the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

LABEL_WIDTH = 230
BAR_AREA = 300
ROW_HEIGHT = 24
BAR_HEIGHT = 16
LABEL_CHARS = 34


@dataclass(frozen=True)
class Bar:
    label: str
    short_label: str
    count: int
    share: float
    """Share of the selection's actions, in percent."""
    y: int
    length: int
    url: str | None


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    width: int
    height: int
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT


def shorten(label: str, limit: int = LABEL_CHARS) -> str:
    return label if len(label) <= limit else label[:limit - 1].rstrip() + "…"


def bar_chart(rows: list[tuple[str, int]], total: int, url_for_value=None) -> BarChart:
    """Horizontal bars, one per (label, count), lengths relative to the largest count."""
    highest = max((count for _, count in rows), default=0)
    bars = []
    for i, (label, count) in enumerate(rows):
        length = round(BAR_AREA * count / highest) if highest else 0
        bars.append(Bar(label, shorten(label), count, round(100 * count / total, 1) if total else 0.0,
                        i * ROW_HEIGHT, max(length, 1 if count else 0),
                        url_for_value(label) if url_for_value and count else None))
    return BarChart(bars, LABEL_WIDTH + BAR_AREA + 60, max(1, len(rows)) * ROW_HEIGHT)
