"""The peers beside our engine (SQLite FTS5, tantivy): which there are, their figures, and the side-by-side table.

Each peer module (`benchmarks/fts5.py`, `benchmarks/tantivy_peer.py`) offers
`unavailable_reason()`, `build(fiches, path) -> seconds` and
`open_searcher(path)`, whose searcher has `search(MixQuery)` (what /api/search
does), `top(MixQuery)` (the plain ranked top 10), `ranked(text, filters)` (the
relevance benchmark's request) and `close()`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from indexer.fiche import Fiche

from . import fts5, tantivy_peer
from .measure_engine import timed_rounds
from .prepare import Options, log, prepare_peer
from .queries import MixQuery
from .report import Report, Table, ms, number, percentiles, ratio, spread


@dataclass(frozen=True)
class Peer:
    key: str
    label: str
    short: str
    note: str
    artefact: str
    module: ModuleType

    def unavailable_reason(self) -> str | None:
        return self.module.unavailable_reason()

    def prepare(self, fiches: list[Fiche], opts: Options) -> tuple[Path, dict]:
        path = opts.workdir / self.artefact.format(tag=opts.tag)
        return prepare_peer(self.label, path, self.module.build, Path(self.module.__file__), fiches, opts)

    def open(self, path: Path) -> Any:
        return self.module.open_searcher(path)


SQLITE = Peer("sqlite", "SQLite FTS5", "SQLite", "pas de racinisation", "fts5-{tag}.sqlite", fts5)
TANTIVY = Peer("tantivy", "tantivy", "tantivy", "repli des accents puis racinisation Snowball française, BM25, agrégations de termes",
               "tantivy-{tag}", tantivy_peer)
PEERS: tuple[Peer, ...] = (SQLITE, TANTIVY)


def bench_peer(peer: Peer, fiches: list[Fiche], mix: list[MixQuery], opts: Options, ours: dict,
               build_rate: float, report: Report) -> dict:
    """The peer's build and the same mix: a full search and the plain ranked query, with our/peer ratios."""
    reason = peer.unavailable_reason()
    if reason:
        log(f"{peer.label} : {reason}")
        report.section(peer.label)
        report.add(peer.label, reason)
        return {}
    path, info = peer.prepare(fiches, opts)
    searcher = peer.open(path)
    try:
        log(f"{peer.label} : mélange de requêtes")
        full = percentiles([v for _, v in timed_rounds(mix, searcher.search, opts.duration / 2)])
        top = percentiles([v for _, v in timed_rounds(mix, searcher.top, opts.duration / 4)])
    finally:
        searcher.close()
    rate = len(fiches) / info["seconds"]
    name = peer.short
    report.section(f"Pair : {peer.label} (mêmes fiches, même mélange ; {peer.note})")
    report.add(f"Construction {peer.label}", f"{number(rate)} fiches/s ({info['seconds']:.1f} s, "
               f"{info['bytes'] / 1e6:.0f} Mo){' (réutilisée)' if info['reused'] else ''}")
    report.add(f"Construction : nous (2 processus) / {name}, en débit", f"× {ratio(build_rate, rate)}")
    report.add(f"{name} : recherche complète (top 10 + extraits + total + facettes) — p50 / p95 / p99", spread(full))
    report.add(f"Recherche complète : nous / {name} (p50, p95)",
               f"× {ratio(ours['search']['p50'], full['p50'])}, × {ratio(ours['search']['p95'], full['p95'])}")
    report.add(f"{name} : requête classée simple (top 10) — p50 / p95 / p99", spread(top))
    report.add(f"Requête simple : Whoosh / {name} (p50, p95)",
               f"× {ratio(ours['plain']['p50'], top['p50'])}, × {ratio(ours['plain']['p95'], top['p95'])}")
    return {"build": info, "build_rate": rate, "search": full, "plain": top}


def comparison_table(ours: dict, peers: dict[str, dict]) -> Table:
    """One column per engine, then one our/peer ratio column per peer measured."""
    measured = [peer for peer in PEERS if peers.get(peer.key)]
    table = Table("Côte à côte (mêmes fiches, même mélange)",
                  ["Mesure", "nous", *(p.label for p in measured), *(f"nous / {p.short}" for p in measured)])
    rows = (("Construction (fiches/s)", lambda f: f["build_rate"], number),
            ("Taille de l'index (Mo)", lambda f: f["bytes"] / 1e6, number),
            ("Recherche complète, p50", lambda f: f["search"]["p50"], ms),
            ("Recherche complète, p95", lambda f: f["search"]["p95"], ms),
            ("Requête classée simple (top 10), p50", lambda f: f["plain"]["p50"], ms),
            ("Requête classée simple (top 10), p95", lambda f: f["plain"]["p95"], ms))
    for label, figure, shown in rows:
        values = [figure(ours), *(figure({**peers[p.key], "bytes": peers[p.key]["build"]["bytes"]}) for p in measured)]
        table.rows.append([label, *(shown(v) for v in values),
                           *(f"× {ratio(values[0], v)}" for v in values[1:])])
    return table
