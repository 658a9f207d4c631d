"""Where a cache-miss search spends its time: cProfile over SearchEngine.search on the query mix.

    python -m benchmarks.hotspots --n 10000 [--seed 1] [--rounds 3] [--kind paragraphe] [--top 25]

Reuses (or makes) the corpus and the procs=2 index of `benchmarks.run` in the
same work directory. Prints three tables: time by area (self time grouped by
module), project functions by cumulative time, and the top functions by self
time; every share is of the total time spent in SearchEngine.search.
"""

from __future__ import annotations

import cProfile
import pstats
import time
from collections import defaultdict
from pathlib import Path

import click

from indexer.parse import parse_corpus

from .generate import default_files
from .queries import KINDS, query_mix
from .prepare import DEFAULT_WORKDIR, Options, prepare_corpus, prepare_index

# (area, path fragments): the first matching area names a function's self time.
AREAS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("extraits (whoosh.highlight)", ("whoosh/highlight",)),
    ("analyse du texte (analyseur, racinisation)", ("whoosh/analysis", "indexer/analysis", "snowball", "Stemmer")),
    ("analyse de la requête (whoosh.qparser)", ("whoosh/qparser",)),
    ("lecture des postings (whoosh codec/filedb)", ("whoosh/codec", "whoosh/filedb", "whoosh/util", "whoosh/system")),
    ("appariement et score (whoosh matching/scoring/searching)",
     ("whoosh/matching", "whoosh/scoring", "whoosh/searching", "whoosh/collectors", "whoosh/query",
      "whoosh/reading", "whoosh/idsets", "whoosh/sorting", "whoosh/spelling", "whoosh/automata")),
    ("autre whoosh", ("whoosh/",)),
    ("facettes (search_app/facets.py)", ("search_app/facets",)),
    ("search_app (autres modules)", ("search_app/",)),
    ("indexer (Fiche, schéma)", ("indexer/",)),
    ("json", ("json/", "_json")),
    ("numpy", ("numpy",)),
    ("markupsafe / re / autres", ("",)),
)


def area_of(filename: str) -> str:
    for area, fragments in AREAS:
        if any(fragment in filename for fragment in fragments):
            return area
    return AREAS[-1][0]


def _label(func: tuple[str, int, str]) -> str:
    filename, line, name = func
    for marker in ("site-packages/", "dist-packages/", "/work/main/", "lib/python3.11/"):
        if marker in filename:
            filename = filename.split(marker, 1)[1]
            break
    return f"{filename}:{line}({name})" if line else name


def profile_search(root: Path, kind: str | None, rounds: int) -> tuple[pstats.Stats, float, int]:
    from search_app.engine import SearchEngine
    from search_app.results import SearchRequest

    engine = SearchEngine(root, cache_size=0)
    mix = [q for q in query_mix() if kind is None or q.kind == kind]
    requests = [SearchRequest.make(q.text, q.filters) for q in mix]
    for request in requests:
        engine.search(request)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _ in range(rounds):
        for request in requests:
            engine.search(request)
    profiler.disable()
    return pstats.Stats(profiler), time.perf_counter() - started, rounds * len(requests)


def report(stats: pstats.Stats, top: int) -> str:
    raw = stats.stats  # {func: (primitive calls, calls, tottime, cumtime, callers)}
    total = next((cum for func, (_, _, _, cum, _) in raw.items() if func[2] == "search"
                  and func[0].endswith("search_app/engine.py")), None)
    total = total or sum(tt for _, _, tt, _, _ in raw.values())
    areas: dict[str, float] = defaultdict(float)
    for func, (_, _, tottime, _, _) in raw.items():
        areas[area_of(func[0])] += tottime
    lines = ["| Domaine (temps propre) | ms | part |", "|---|---|---|"]
    for area, seconds in sorted(areas.items(), key=lambda item: -item[1]):
        lines.append(f"| {area} | {seconds * 1000:.0f} | {seconds / total:.0%} |")
    lines += ["", "| Fonction du projet (temps cumulé) | appels | ms | part |", "|---|---|---|---|"]
    project = [(func, data) for func, data in raw.items()
               if "search_app/" in func[0] or "indexer/" in func[0]]
    for func, (_, calls, _, cumtime, _) in sorted(project, key=lambda item: -item[1][3])[:top]:
        lines.append(f"| {_label(func)} | {calls} | {cumtime * 1000:.0f} | {cumtime / total:.0%} |")
    lines += ["", "| Fonction (temps propre) | appels | ms propre | ms cumulé | part propre |", "|---|---|---|---|---|"]
    for func, (_, calls, tottime, cumtime, _) in sorted(raw.items(), key=lambda item: -item[1][2])[:top]:
        lines.append(f"| {_label(func)} | {calls} | {tottime * 1000:.0f} | {cumtime * 1000:.0f} | {tottime / total:.0%} |")
    return "\n".join(lines)


@click.command()
@click.option("--n", "n", type=click.IntRange(min=1), default=10_000, show_default=True, help="Nombre de fiches.")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--files", type=click.IntRange(min=1), default=None)
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_WORKDIR, show_default=True)
@click.option("--rounds", type=click.IntRange(min=1), default=3, show_default=True, help="Passages sur le mélange.")
@click.option("--kind", type=click.Choice(list(KINDS)), default=None, help="Un seul type de requête.")
@click.option("--top", type=click.IntRange(min=1), default=25, show_default=True)
@click.option("--dump", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Écrit aussi les statistiques brutes (pstats) dans ce fichier.")
def main(n: int, seed: int, files: int | None, workdir: Path, rounds: int, kind: str | None, top: int,
         dump: Path | None) -> None:
    """Profile les recherches sans cache et affiche les points chauds."""
    opts = Options(n, seed, files or default_files(n), workdir.resolve(), False, True, True, 0, 0.1, 1)
    opts.workdir.mkdir(parents=True, exist_ok=True)
    corpus, _ = prepare_corpus(opts)
    root, _ = prepare_index(parse_corpus(corpus).fiches, opts, procs=2)
    stats, seconds, count = profile_search(root, kind, rounds)
    if dump:
        stats.dump_stats(dump)
    click.echo(f"### Profil de SearchEngine.search : {count} recherches sans cache "
               f"({kind or 'tout le mélange'}), {n} fiches, {seconds:.1f} s sous cProfile "
               f"({seconds / count * 1000:.1f} ms par recherche)\n")
    click.echo(report(stats, top))


if __name__ == "__main__":
    main()
