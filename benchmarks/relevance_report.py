"""The relevance benchmark's output: per-query results, the metrics table by query type, the worst queries, the JSON."""

from __future__ import annotations

from dataclasses import dataclass

from .relevance_metrics import mean_metrics

TYPES = ("keyword", "acronym", "synonym", "typo", "paragraph", "filtered", "question")
METRICS: dict[str, str] = {"ndcg": "nDCG@10", "mrr": "MRR", "recall": "Recall@10", "success1": "succès@1",
                           "zero": "zéro résultat"}
LABELS: dict[str, str] = {"ours": "nous", "tantivy": "tantivy (Snowball, OU)", "sqlite": "SQLite FTS5 (OU)"}


@dataclass(frozen=True)
class QueryResult:
    id: str
    type: str
    q: str
    titles: list[str]
    grades: list[int]
    metrics: dict[str, float]


@dataclass(frozen=True)
class SystemResult:
    name: str
    queries: list[QueryResult]
    ms_per_query: float

    def overall(self) -> dict[str, float]:
        return mean_metrics([q.metrics for q in self.queries])

    def by_type(self) -> dict[str, dict[str, float]]:
        types = [*TYPES, *sorted({q.type for q in self.queries} - set(TYPES))]
        return {kind: mean_metrics([q.metrics for q in self.queries if q.type == kind])
                for kind in types if any(q.type == kind for q in self.queries)}


def _figure(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def metrics_table(systems: list[SystemResult], info: dict) -> str:
    """One row per metric and system, one column for all queries then one per query type."""
    kinds = list(systems[0].by_type())
    counts = {kind: sum(1 for q in systems[0].queries if q.type == kind) for kind in kinds}
    lines = [f"### Pertinence : {info['queries']} requêtes jugées, {info['fiches']} fiches ({info['eval']})", "",
             "| mesure | système | tout | " + " | ".join(f"{k} ({counts[k]})" for k in kinds) + " |",
             "|---|---|---|" + "---|" * len(kinds)]
    for metric, label in METRICS.items():
        for system in systems:
            overall, by_type = system.overall(), system.by_type()
            cells = [_figure(overall.get(metric)), *(_figure(by_type.get(k, {}).get(metric)) for k in kinds)]
            lines.append(f"| {label} | {LABELS.get(system.name, system.name)} | " + " | ".join(cells) + " |")
    timing = ", ".join(f"{LABELS.get(s.name, s.name)} {s.ms_per_query:.1f} ms" for s in systems)
    lines += ["", f"Temps moyen par requête : {timing} ; index construit en {info['build_seconds']:.1f} s."]
    return "\n".join(lines)


def _top3(result: QueryResult) -> str:
    shown = [f"{title[:48]} ({grade})" for title, grade in zip(result.titles[:3], result.grades[:3])]
    return " ; ".join(shown).replace("|", "/") or "(aucun résultat)"


def worst_table(systems: list[SystemResult], count: int) -> str:
    """Our `count` lowest-nDCG queries, with each system's nDCG and our top 3 titles (grade in brackets)."""
    ours = systems[0]
    others = {s.name: {q.id: q for q in s.queries} for s in systems[1:]}
    worst = sorted(ours.queries, key=lambda q: (q.metrics["ndcg"], q.id))[:count]
    header = " | ".join(f"nDCG {LABELS.get(name, name).split(' ')[0]}" for name in others)
    lines = [f"### Les {len(worst)} requêtes où nous sommes le plus mauvais (nDCG@10)", "",
             f"| id | type | requête | nDCG nous | {header + ' | ' if header else ''}nos 3 premiers (note) |",
             "|---|---|---|---|" + "---|" * len(others) + "---|"]
    for q in worst:
        text = q.q if len(q.q) <= 60 else q.q[:57] + "…"
        peers = "".join(f"{_figure(others[name][q.id].metrics['ndcg'])} | " for name in others)
        lines.append(f"| {q.id} | {q.type} | {text.replace('|', '/')} | {_figure(q.metrics['ndcg'])} | "
                     f"{peers}{_top3(q)} |")
    return "\n".join(lines)


def json_figures(systems: list[SystemResult], info: dict) -> dict:
    """Every figure, so two runs can be compared (overall, per type, per query with its titles and grades)."""
    return {**info, "systems": {
        s.name: {"overall": s.overall(), "by_type": s.by_type(), "ms_per_query": s.ms_per_query,
                 "queries": {q.id: {"type": q.type, "q": q.q, **q.metrics, "titles": q.titles, "grades": q.grades}
                             for q in s.queries}}
        for s in systems}}
