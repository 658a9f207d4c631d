"""The benchmark: one table of parse, build, query, similarity, cache, cold-start, memory and HTTP figures.

    python -m benchmarks.run --n 10000 [--seed 1] [--workdir DIR] [--skip-http] [--duration S]

Generated corpora, indexes and the peers' indexes (SQLite FTS5, tantivy) are
kept in the work directory (default benchmarks/out/, git-ignored) and reused
when the parameters match; --rebuild starts over. Every timed loop is bounded
by a duration (and the HTTP load also by a request count). Progress goes to
stderr, the tables (Markdown) to stdout, the raw figures to
WORKDIR/results-n*-s*.json. The measuring lives in `measure_engine` and
`measure_http`, the peers in `peers`, the printed table in `report`.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

import click

from indexer.fiche import Fiche
from indexer.parse import parse_corpus

from .generate import default_files
from .measure_engine import bench_engine
from .measure_http import HTTP_MAX_REQUESTS, bench_http
from .peers import SQLITE, TANTIVY, bench_peer, comparison_table
from .prepare import DEFAULT_WORKDIR, Options, log, prepare_corpus, prepare_index
from .queries import query_mix
from .report import BUILD_RATE_TARGET, Report, Targets, number


def parsed_corpus(opts: Options, report: Report) -> tuple[list[Fiche], dict]:
    """The synthetic fiches (generated or reused), with the corpus and parsing rows of the table."""
    corpus, corpus_info = prepare_corpus(opts)
    log("analyse du corpus")
    started = time.perf_counter()
    parsed = parse_corpus(corpus)
    parse_seconds = time.perf_counter() - started
    fiches = parsed.fiches
    if parsed.problems or len(fiches) != opts.n:
        raise click.ClickException(f"corpus synthétique invalide : {len(fiches)} fiches, "
                                   f"{len(parsed.problems)} problème(s), ex. {parsed.problems[:1]}")
    report.section("Corpus et indexation")
    report.add("Corpus synthétique", f"{number(opts.n)} fiches, {corpus_info['files']} fichier(s), "
               f"{corpus_info['bytes'] / 1e6:.0f} Mo"
               + (" (réutilisé)" if corpus_info["reused"] else f", généré en {corpus_info['seconds']:.1f} s"))
    report.add("Analyse (parse_corpus)", f"{number(opts.n / parse_seconds)} fiches/s ({parse_seconds:.1f} s)")
    return fiches, {"corpus": corpus_info, "parse_seconds": parse_seconds}


def built_indexes(fiches: list[Fiche], opts: Options, report: Report) -> dict[int, tuple[Path, dict]]:
    """Our index built (or reused) with each number of processes, with the build rows of the table."""
    builds = {}
    for procs in sorted(set(opts.builds) | {2}):
        root, info = prepare_index(fiches, opts, procs)
        builds[procs] = (root, info)
        rate = info["indexed"] / info["seconds"]
        target, ok = ("", None) if procs == 1 else (f"≥ {number(BUILD_RATE_TARGET)} fiches/s", rate >= BUILD_RATE_TARGET)
        report.add(f"Construction, build_index(procs={procs})",
                   f"{number(rate)} fiches/s ({info['seconds']:.1f} s){' (réutilisée)' if info['reused'] else ''}",
                   target, ok)
    report.add("Taille de l'index sur disque (procs=2)", f"{builds[2][1]['bytes'] / 1e6:.0f} Mo")
    return builds


def machine_rows(report: Report) -> dict[str, Any]:
    own_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    load = os.getloadavg()
    report.section("Machine")
    report.add("Charge moyenne en fin de mesure (1, 5, 15 min)", " / ".join(f"{v:.1f}" for v in load),
               f"≤ {os.cpu_count()} (au-delà, d'autres travaux faussent les mesures)")
    report.add("Mémoire max du processus de banc d'essai (corpus, constructions et requêtes)",
               f"{own_rss / 2**20:.0f} Mio")
    return {"load_average": load, "bench_peak_rss": own_rss}


def run(opts: Options) -> Report:
    opts.workdir.mkdir(parents=True, exist_ok=True)
    targets = Targets.for_size(opts.n)
    report = Report(f"Banc d'essai : {number(opts.n)} fiches synthétiques (graine {opts.seed}), "
                    f"{os.cpu_count()} cœurs, Python {sys.version.split()[0]}")
    fiches, parse_info = parsed_corpus(opts, report)
    builds = built_indexes(fiches, opts, report)
    root, info = builds[2]
    mix = query_mix()
    ours = bench_engine(root, mix, fiches, opts, report, targets)
    results: dict[str, Any] = {"n": opts.n, "seed": opts.seed, "files": opts.files, **parse_info,
                               "builds": {str(p): i for p, (_, i) in builds.items()}, "engine": ours}
    if not opts.skip_http:
        results["http"] = bench_http(root, mix, opts, report, targets)
    build_rate = info["indexed"] / info["seconds"]
    peers = {}
    for peer, skipped in ((SQLITE, opts.skip_sqlite), (TANTIVY, opts.skip_tantivy)):
        if not skipped:
            peers[peer.key] = results[peer.key] = bench_peer(peer, fiches, mix, opts, ours, build_rate, report)
    results.update(machine_rows(report))
    if any(peers.values()):
        report.tables.append(comparison_table({**ours, "build_rate": build_rate, "bytes": info["bytes"]}, peers))
    report.data = results
    (opts.workdir / f"results-{opts.tag}.json").write_text(json.dumps(results, indent=2, ensure_ascii=False),
                                                           encoding="utf-8")
    return report


@click.command()
@click.option("--n", "n", type=click.IntRange(min=1), default=10_000, show_default=True, help="Nombre de fiches.")
@click.option("--seed", type=int, default=1, show_default=True, help="Graine du corpus synthétique.")
@click.option("--files", type=click.IntRange(min=1), default=None, help="Fichiers du corpus (défaut : un par 2 000 fiches).")
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_WORKDIR,
              show_default=True, help="Dossier de travail (corpus, index, résultats).")
@click.option("--rebuild", is_flag=True, help="Régénère corpus, index et index des pairs même s'ils existent.")
@click.option("--skip-http", is_flag=True, help="Sans le serveur HTTP (ni démarrage à froid ni débit).")
@click.option("--skip-sqlite", is_flag=True, help="Sans la comparaison SQLite FTS5.")
@click.option("--skip-tantivy", is_flag=True, help="Sans la comparaison tantivy.")
@click.option("--duration", type=click.FloatRange(min=0), default=20.0, show_default=True,
              help="Secondes de mesure par série de requêtes (au moins un passage complet).")
@click.option("--http-duration", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help="Secondes de charge HTTP par niveau de concurrence.")
@click.option("--single-build/--no-single-build", default=True, show_default=True,
              help="Mesure aussi build_index(procs=1) (long à 100 000 fiches).")
@click.option("--http-requests", type=click.IntRange(min=1), default=HTTP_MAX_REQUESTS, show_default=True,
              help="Nombre maximal de requêtes HTTP par niveau de concurrence.")
def main(n: int, seed: int, files: int | None, workdir: Path, rebuild: bool, skip_http: bool, skip_sqlite: bool,
         skip_tantivy: bool, duration: float, http_duration: float, single_build: bool, http_requests: int) -> None:
    """Mesure le moteur de recherche sur N fiches synthétiques et affiche un tableau."""
    opts = Options(n, seed, files or default_files(n), workdir.resolve(), rebuild, skip_http, skip_sqlite,
                   duration, http_duration, http_requests, (1, 2) if single_build else (2,), skip_tantivy)
    report = run(opts)
    click.echo(report.markdown())


if __name__ == "__main__":
    main()
