"""Export benchmark: fiches per second and memory of `/api/export` over a synthetic corpus.

    python -m benchmarks.export --n 10000 [--workdir DIR]

Generates the corpus and builds the index once (reused), then streams the
whole index as CSV and as JSON Lines through the WSGI application, counting
rows and bytes (rate measured untraced). Memory: the process's resident size
before and after, and the peak of Python allocations during exports of
selections of different sizes (tracemalloc, which slows the stream: separate runs). Also times a
second full build over the first, to show what recording retired ids costs.
"""

from __future__ import annotations

import resource
import sys
import time
import tracemalloc
from pathlib import Path

import click

from indexer.build import build_index
from indexer.parse import parse_corpus

from .generate import write_corpus


def _rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _stream(client, query: dict, trace: bool) -> tuple[int, int, float, float]:
    """(rows, bytes, seconds, peak MiB of Python allocations or 0) of one whole export."""
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    response = client.get("/api/export", query_string=query, buffered=False)
    size = newlines = 0
    for chunk in response.response:
        size += len(chunk)
        newlines += chunk.count(b"\n")
    response.close()
    seconds = time.perf_counter() - started
    peak = 0
    if trace:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return int(response.headers["X-Total-Count"]), size, seconds, peak / 2**20


@click.command()
@click.option("--n", "n", type=click.IntRange(min=1), default=10_000, show_default=True)
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path), default=Path("benchmarks/out"))
def main(n: int, workdir: Path) -> None:
    corpus, index = workdir / f"export-corpus-{n}", workdir / f"export-index-{n}"
    if not corpus.exists():
        write_corpus(n, corpus, 1, None, 2)
    fiches = parse_corpus(corpus).fiches
    if not index.exists():
        build_index(fiches, index, embed=False)
    started = time.perf_counter()
    build_index(fiches, index, embed=False)
    rebuild = time.perf_counter() - started
    del fiches

    from search_app import create_app

    client = create_app({"INDEX_DIR": index, "BUILD_IF_MISSING": False}).test_client()
    client.get("/api/search?per_page=0")
    print(f"| {n} fiches | rows | MB | seconds | fiches/s | RSS before → after (MiB) |")
    print("|---|---|---|---|---|---|")
    for fmt in ("csv", "jsonl", "csv", "jsonl"):
        before = _rss_mib()
        rows, size, seconds, _ = _stream(client, {"format": fmt}, trace=False)
        print(f"| {fmt} | {rows} | {size / 1e6:.1f} | {seconds:.2f} | {rows / seconds:,.0f} "
              f"| {before:.0f} → {_rss_mib():.0f} |")
    print("\n| selection (csv, traced) | rows | peak Python allocations (MiB) |\n|---|---|---|")
    for label, query in ((f"{n} fiches", {}), ("q=jardin", {"q": "jardin"}), ("one year", {"year": "2019"})):
        rows, _, _, peak = _stream(client, {"format": "csv", **query}, trace=True)
        print(f"| {label} | {rows} | {peak:.1f} |")
    print(f"\nfull rebuild over the previous generation (retired ids recorded): {rebuild:.1f} s "
          f"({n / rebuild:,.0f} fiches/s)")


if __name__ == "__main__":
    sys.exit(main())
