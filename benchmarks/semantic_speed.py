"""Search latency with the semantic layer on, at the scale of a benchmark index, without embedding it.

Embedding 10,000 fiches takes about an hour here, so this copies an index made
by `benchmarks.run` and gives it random unit vectors: the ranking is then
meaningless, but every cost of the semantic path is real (query embedding,
one matrix product, fusion). Query embeddings are not cached between queries
(cache-miss figures). Prints p50/p95 of 1–3 word queries, and of partial
matches (each query plus an unknown word), the only ones that embed.

    python -m benchmarks.run --n 10000 --skip-http    # makes the index, once
    python -m benchmarks.semantic_speed --n 10000
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from pathlib import Path

import click
import numpy as np

from indexer.build import read_current
from indexer.embeddings import DIMENSION, MODEL_NAME, VECTORS_FILE, VECTORS_META
from search_app import semantic
from search_app.engine import SearchEngine
from search_app.results import SearchRequest

from .queries import FEW_WORDS, ONE_WORD

UNKNOWN_WORD = "zzqxv"


def with_random_vectors(index: Path, workdir: Path) -> Path:
    """A copy of a lexical index (as `benchmarks.run` builds them) with random unit vectors, one per document."""
    copy = workdir / "index"
    shutil.copytree(index, copy)
    generation = read_current(copy).path
    snapshot = SearchEngine(copy, cache_size=0, semantic=False).snapshot()
    count = snapshot.stats.doc_count
    ids = [snapshot.searcher().stored_fields(docnum)["id"] for docnum in range(count)]
    vectors = np.random.default_rng(1).standard_normal((count, DIMENSION)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    np.save(generation / VECTORS_FILE, vectors)
    (generation / VECTORS_META).write_text(json.dumps({"model": MODEL_NAME, "ids": ids}), encoding="utf-8")
    return copy


def latencies(engine: SearchEngine, queries: list[str]) -> tuple[float, float, int]:
    """(p50 ms, p95 ms, partial matches) over the queries, query embeddings not cached."""
    times, partial = [], 0
    for query in queries:
        semantic.QUERY_VECTORS.clear()
        started = time.perf_counter()
        partial += engine.search(SearchRequest.make(query)).relaxed
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return times[len(times) // 2], times[int(len(times) * 0.95)], partial


@click.command()
@click.option("--n", default=10000, show_default=True, help="Taille de l'index de banc d'essai à reprendre.")
@click.option("--workdir", type=click.Path(path_type=Path), default=Path(__file__).parent / "out")
@click.option("--repeat", default=3, show_default=True)
def main(n: int, workdir: Path, repeat: int) -> None:
    """Latence de /api/search avec la couche sémantique, sur l'index de `benchmarks.run`."""
    found = sorted(workdir.glob(f"index-n{n}-*-p2"))
    if not found:
        raise click.ClickException(f"aucun index de {n} fiches dans {workdir} : lancez d'abord benchmarks.run --n {n}")
    with tempfile.TemporaryDirectory() as tmp:
        index = with_random_vectors(found[0], Path(tmp))
        engines = {"lexicale": SearchEngine(index, cache_size=0, semantic=False),
                   "sémantique": SearchEngine(index, cache_size=0, semantic=True)}
        words = list(ONE_WORD) + list(FEW_WORDS)
        partial = [f"{query} {UNKNOWN_WORD}" for query in words]
        for engine in engines.values():
            latencies(engine, words)
        click.echo(f"| {n} fiches, sans cache | p50 | p95 | correspondances partielles |\n|---|---|---|---|")
        for mode, engine in engines.items():
            for label, queries in (("1 à 3 mots", words), ("mots + un mot inconnu", partial)):
                p50, p95, relaxed = latencies(engine, queries * repeat)
                click.echo(f"| {mode}, {label} | {p50:.1f} ms | {p95:.1f} ms | {relaxed}/{len(queries) * repeat} |")


if __name__ == "__main__":
    main()
