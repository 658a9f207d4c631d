"""Our engine in the benchmark's process: the cache-miss query mix, facet overhead, cache hits and similarity.

Also the baseline these are read against: the same ranked top 10 straight
from Whoosh, without facet counts or snippets.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from indexer.fiche import Fiche

from .prepare import Options, log
from .queries import FILTER_SETS, KINDS, PARAGRAPHS, MixQuery
from .report import CACHE_HIT_TARGET_MS, FACET_OVERHEAD_TARGET, Report, Targets, percentiles, ratio, spread

def timed_rounds(items: Sequence[Any], call: Callable[[Any], Any], duration: float,
                 warmup: bool = True) -> list[tuple[int, float]]:
    """(item index, ms) for repeated rounds over the items: at least one round, then until `duration`.

    The warm-up round (not recorded) opens files and fills the index's own
    caches, as a served index has them; it is cut short after half the duration.
    """
    if warmup:
        warm_until = time.perf_counter() + duration / 2
        for item in items:
            call(item)
            if time.perf_counter() > warm_until:
                break
    samples: list[tuple[int, float]] = []
    deadline = time.perf_counter() + duration
    while True:
        for i, item in enumerate(items):
            started = time.perf_counter()
            call(item)
            samples.append((i, (time.perf_counter() - started) * 1000))
        if time.perf_counter() >= deadline:
            return samples


def by_group(samples: list[tuple[int, float]], items: Sequence[MixQuery],
             key: Callable[[MixQuery], Any]) -> dict[Any, list[float]]:
    groups: dict[Any, list[float]] = defaultdict(list)
    for i, value in samples:
        groups[key(items[i])].append(value)
    return groups


@contextmanager
def facet_timer() -> Iterator[list[float] | None]:
    """Time spent in the engine's facet counting (FacetTable.disjunctive_counts), if it has one."""
    try:
        from search_app.facets import FacetTable
    except ImportError:
        yield None
        return
    original = getattr(FacetTable, "disjunctive_counts", None)
    if original is None:
        yield None
        return
    spent = [0.0]

    def timed(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - started

    FacetTable.disjunctive_counts = timed
    try:
        yield spent
    finally:
        FacetTable.disjunctive_counts = original


class PlainWhoosh:
    """The baseline: a ranked top 10 straight from Whoosh, no facet counts, no snippets."""

    def __init__(self, root: Path) -> None:
        from whoosh.qparser import MultifieldParser
        from whoosh.qparser.syntax import AndGroup
        from whoosh.scoring import BM25F

        from indexer.build import open_current
        from indexer.schema import TEXT_FIELD_BOOSTS

        self.index = open_current(root)[1]
        self.searcher = self.index.searcher(weighting=BM25F())
        self.parser = MultifieldParser(list(TEXT_FIELD_BOOSTS), self.index.schema,
                                       fieldboosts=TEXT_FIELD_BOOSTS, group=AndGroup)

    def close(self) -> None:
        self.searcher.close()

    def _paragraph_query(self, text: str):
        from search_app.similar import key_terms, similarity_query

        return similarity_query(key_terms(text, self.searcher))

    def _positionless_phrases(self, q):
        """Phrases in fields without positions: all the words plus their pairs in the bigram field, if any."""
        from whoosh import query as wq

        if isinstance(q, wq.Phrase):
            field = self.index.schema[q.fieldname]
            if field.format and field.format.supports("positions"):
                return q
            try:
                from indexer.analysis import bigrams
            except ImportError:
                bigrams = None
            pairs = bigrams(list(q.words)) if bigrams and "bigrams" in self.index.schema else []
            return wq.And([wq.Term(q.fieldname, w) for w in q.words] + [wq.Term("bigrams", p) for p in pairs],
                          boost=q.boost)
        if q.is_leaf():
            return q
        return q.apply(self._positionless_phrases)

    def top(self, query: MixQuery) -> list[dict]:
        from whoosh import query as wq

        if query.kind == "paragraphe":
            q = self._paragraph_query(query.text)
        else:
            q = self._positionless_phrases(self.parser.parse(query.text))
        restrict = [wq.Or([wq.Term(name, value) for value in values]) for name, values in query.filters.items()]
        results = self.searcher.search(q, limit=10, filter=wq.And(restrict) if restrict else None)
        return [json.loads(hit["record"]) for hit in results]


def bench_engine(root: Path, mix: list[MixQuery], fiches: list[Fiche], opts: Options,
                 report: Report, targets: Targets) -> dict:
    from search_app.engine import SearchEngine
    from search_app.results import SearchRequest

    engine = SearchEngine(root, cache_size=0)
    engine.stats()
    requests = [SearchRequest.make(q.text, q.filters) for q in mix]
    facet_ms: list[float] = []
    totals: list[int] = []
    with facet_timer() as spent:
        def call(request):
            if spent is not None:
                spent[0] = 0.0
            totals.append(engine.search(request).total)
            if spent is not None:
                facet_ms.append(spent[0] * 1000)

        log("recherche sans cache (moteur)")
        samples = timed_rounds(requests, call, opts.duration)
    facet_ms = facet_ms[-len(samples):]
    overall = percentiles([v for _, v in samples])
    kinds = {k: percentiles(v) for k, v in by_group(samples, mix, lambda q: q.kind).items()}
    filters = {k: percentiles(v) for k, v in by_group(samples, mix, lambda q: q.filter_count).items()}

    log("requête classée simple (Whoosh, sans facettes)")
    plain = PlainWhoosh(root)
    plain_samples = timed_rounds(mix, plain.top, opts.duration / 2)
    plain.close()
    plain_stats = percentiles([v for _, v in plain_samples])
    facets = percentiles(facet_ms) if facet_ms else None

    log("cache (succès)")
    cached = SearchEngine(root, cache_size=1024)
    request = SearchRequest.make("jardin partagé", {"dimension": ["Citoyenneté"]})
    cached.search(request)
    hit_samples = timed_rounds([request] * 200, cached.search, min(2.0, opts.duration / 4), warmup=False)
    cache_stats = percentiles([v for _, v in hit_samples])

    log("similarité")
    texts = list(PARAGRAPHS) + [fiche.summary for fiche in fiches[:: max(1, len(fiches) // 7)][:7] if fiche.summary]
    text_stats = percentiles([v for _, v in timed_rounds(
        texts, lambda text: engine.similar_to_text(text, 10), opts.duration / 4)])
    ids = [fiche.id for fiche in fiches[:: max(1, len(fiches) // 10)][:10]]
    fiche_stats = percentiles([v for _, v in timed_rounds(
        ids, lambda fiche_id: engine.similar_to_fiche(fiche_id, 5), opts.duration / 4)])

    report.section(f"Recherche dans le processus ({targets.label} : cibles), SearchEngine sans cache")
    report.add("/api/search, tout le mélange — p50 / p95 / p99", spread(overall),
               f"p50 ≤ {targets.search_p50:g} ms, p95 ≤ {targets.search_p95:g} ms",
               overall["p50"] <= targets.search_p50 and overall["p95"] <= targets.search_p95)
    matched = np.percentile(totals[-len(samples):], [50, 90]) / opts.n
    report.add("Part des fiches trouvées par requête (médiane, 9e décile)", f"{matched[0]:.1%}, {matched[1]:.1%}")
    for kind in KINDS:
        report.add(f"… {kind}", spread(kinds[kind]))
    for count in FILTER_SETS:
        report.add(f"… {count} filtre{'s' if count > 1 else ''}", spread(filters[count]))
    report.add("Requête classée simple Whoosh (top 10, sans facettes ni extraits)", spread(plain_stats))
    report.add("Moteur complet / requête simple Whoosh (p50)", f"× {ratio(overall['p50'], plain_stats['p50'])}")
    if facets is not None:
        rest = overall["p50"] - facets["p50"]
        share = facets["p50"] / rest if rest > 0 else float("inf")
        report.add("Comptage des facettes seul (disjunctive_counts)", spread(facets))
        report.add("Surcoût des facettes : comptage / reste de la recherche (p50)", f"{share:.0%}",
                   f"≤ {FACET_OVERHEAD_TARGET:.0%}", share <= FACET_OVERHEAD_TARGET)
    else:
        report.add("Comptage des facettes seul", "non mesurable (FacetTable.disjunctive_counts absent)")
    report.add("Cache (succès) — p50 / p95 / p99", spread(cache_stats), f"p50 ≤ {CACHE_HIT_TARGET_MS:g} ms",
               cache_stats["p50"] <= CACHE_HIT_TARGET_MS)
    similar_target = f"p50 ≤ {targets.similar_p50:g} ms" if targets.similar_p50 else ""
    for label, stats in (("/similar (texte collé)", text_stats), ("/actions/<id>/similar", fiche_stats)):
        report.add(f"{label} — p50 / p95 / p99", spread(stats), similar_target,
                   stats["p50"] <= targets.similar_p50 if targets.similar_p50 else None)
    return {"search": overall, "kinds": kinds, "filters": {str(k): v for k, v in filters.items()},
            "plain": plain_stats, "facets": facets, "cache_hit": cache_stats,
            "similar_text": text_stats, "similar_fiche": fiche_stats}

