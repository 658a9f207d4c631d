"""The benchmark: one table of parse, build, query, similarity, cache, cold-start, memory and HTTP figures.

    python -m benchmarks.run --n 10000 [--seed 1] [--workdir DIR] [--skip-http] [--duration S]

Generated corpora, indexes and the SQLite peer database are kept in the work
directory (default benchmarks/out/, git-ignored) and reused when the
parameters match; --rebuild starts over. Every timed loop is bounded by a
duration (and the HTTP load also by a request count). Progress goes to stderr,
the table (Markdown) to stdout, the raw figures to WORKDIR/results-n*-s*.json.
"""

from __future__ import annotations

import asyncio
import hashlib
import http.client
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import numpy as np

from indexer.build import build_index, read_current
from indexer.fiche import Fiche
from indexer.parse import parse_corpus

from . import fts5
from .generate import default_files, write_corpus
from .queries import FILTER_SETS, KINDS, PARAGRAPHS, MixQuery, query_mix

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_WORKDIR = Path(__file__).resolve().parent / "out"
LARGE = 30_000
HTTP_MAX_REQUESTS = 50_000
READY_TIMEOUT = 180.0


def log(message: str) -> None:
    click.echo(f"[bench] {message}", err=True)


# -- figures and the table ------------------------------------------------------------------


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

    def add(self, measure: str, result: str, target: str = "", ok: bool | None = None) -> None:
        self.rows.append(Row(measure, result, target, ok))

    def section(self, name: str) -> None:
        self.rows.append(Row(f"**{name}**", ""))

    def markdown(self) -> str:
        lines = [f"### {self.title}", "", "| Mesure | Résultat | Cible | |", "|---|---|---|---|"]
        for row in self.rows:
            mark = "" if row.ok is None else ("✓" if row.ok else "✗")
            lines.append(f"| {row.measure} | {row.result} | {row.target} | {mark} |")
        return "\n".join(lines)


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


BUILD_RATE_TARGET = 1000
FACET_OVERHEAD_TARGET = 0.30
CACHE_HIT_TARGET_MS = 1.0
COLD_START_TARGET_S = 2.0
RSS_TARGET = 1 << 30


# -- corpus and index, reused between runs -------------------------------------------------


@dataclass(frozen=True)
class Options:
    n: int
    seed: int
    files: int
    workdir: Path
    rebuild: bool
    skip_http: bool
    skip_sqlite: bool
    duration: float
    http_duration: float
    http_requests: int
    builds: tuple[int, ...] = (1, 2)

    @property
    def tag(self) -> str:
        return f"n{self.n}-s{self.seed}-f{self.files}"


def _marker(path: Path) -> Path:
    return path.parent / (path.name + ".json")


def _read_marker(path: Path) -> dict | None:
    try:
        return json.loads(_marker(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write_marker(path: Path, data: dict) -> None:
    _marker(path).write_text(json.dumps(data), encoding="utf-8")


def _discard(path: Path) -> None:
    _marker(path).unlink(missing_ok=True)
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def prepare_corpus(opts: Options) -> tuple[Path, dict]:
    path = opts.workdir / f"corpus-{opts.tag}"
    done = None if opts.rebuild else _read_marker(path)
    if done is not None and path.is_dir():
        return path, {**done, "reused": True}
    _discard(path)
    log(f"génération de {opts.n} fiches dans {path}")
    started = time.perf_counter()
    files = write_corpus(opts.n, path, opts.seed, opts.files)
    info = {"seconds": time.perf_counter() - started, "files": len(files),
            "bytes": sum(f.stat().st_size for f in files)}
    _write_marker(path, info)
    return path, {**info, "reused": False}


def indexer_fingerprint() -> str:
    """Hash of the indexer's sources: an index built by other code is not reused."""
    digest = hashlib.sha1()
    for path in sorted((PROJECT_DIR / "indexer").glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def prepare_index(fiches: list[Fiche], opts: Options, procs: int) -> tuple[Path, dict]:
    root = opts.workdir / f"index-{opts.tag}-p{procs}"
    done = None if opts.rebuild else _read_marker(root)
    if done is not None and done.get("indexer") == indexer_fingerprint() and (root / "CURRENT").exists():
        return root, {**done, "reused": True}
    _discard(root)
    log(f"construction de l'index ({procs} processus) dans {root}")
    fingerprint = indexer_fingerprint()
    report = build_index(fiches, root, procs=procs)
    generation = read_current(root)
    info = {"seconds": report.seconds, "indexed": report.indexed, "indexer": fingerprint,
            "bytes": sum(f.stat().st_size for f in generation.path.iterdir() if f.is_file()),
            "segments": len(list(generation.path.glob("*.seg"))) or len(list(generation.path.glob("*_*.trm")))}
    _write_marker(root, info)
    return root, {**info, "reused": False}


def prepare_sqlite(fiches: list[Fiche], opts: Options) -> tuple[Path, dict]:
    path = opts.workdir / f"fts5-{opts.tag}.sqlite"
    done = None if opts.rebuild else _read_marker(path)
    if done is not None and path.exists():
        return path, {**done, "reused": True}
    _discard(path)
    log(f"construction de la base SQLite FTS5 {path}")
    info = {"seconds": fts5.build(fiches, path), "bytes": path.stat().st_size}
    _write_marker(path, info)
    return path, {**info, "reused": False}


# -- timed loops ----------------------------------------------------------------------------------


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


# -- HTTP ----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(root: Path, port: int, log_path: Path, extra_env: dict[str, str]) -> subprocess.Popen:
    env = {**os.environ, "SEARCH_INDEX_DIR": str(root), "SEARCH_BUILD_IF_MISSING": "false",
           "SEARCH_HOST": "127.0.0.1", "PYTHONPATH": str(PROJECT_DIR), **extra_env}
    with open(log_path, "wb") as output:
        return subprocess.Popen([sys.executable, "-m", "search_app.serve", "--port", str(port)],
                                cwd=PROJECT_DIR, env=env, stdout=output, stderr=subprocess.STDOUT)


def wait_ready(proc: subprocess.Popen, port: int, path: str, started: float) -> float:
    """Seconds from `started` until the server answers `path` with 200."""
    while time.perf_counter() - started < READY_TIMEOUT:
        if proc.poll() is not None:
            raise RuntimeError(f"le serveur s'est arrêté (code {proc.returncode})")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=READY_TIMEOUT)
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            connection.close()
            if response.status == 200:
                return time.perf_counter() - started
        except OSError:
            pass
        time.sleep(0.01)
    raise RuntimeError(f"le serveur ne répond pas après {READY_TIMEOUT:.0f} s")


def warm_up(port: int, paths: list[str], budget: float) -> None:
    """Each request of the mix once, in turn (bounded by `budget` seconds), as a served index is warm."""
    deadline = time.perf_counter() + budget
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=READY_TIMEOUT)
    try:
        for path in paths:
            connection.request("GET", path)
            connection.getresponse().read()
            if time.perf_counter() > deadline:
                break
    finally:
        connection.close()


def _process_tree(pid: int) -> list[int]:
    """The process and its descendants (the server may pre-fork workers)."""
    pids, pending = [], [pid]
    while pending:
        current = pending.pop()
        pids.append(current)
        for children in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                pending += [int(child) for child in children.read_text().split()]
            except (OSError, ValueError):
                continue
    return pids


def _process_memory(pid: int) -> dict[str, int]:
    """VmHWM, VmRSS, RssAnon, RssFile (from status) and Pss (from smaps_rollup) of one process, in bytes."""
    values: dict[str, int] = {}
    for name in ("status", "smaps_rollup"):
        try:
            lines = Path(f"/proc/{pid}/{name}").read_text().splitlines()
        except OSError:
            continue
        for key, _, rest in (line.partition(":") for line in lines):
            if key in ("VmHWM", "VmRSS", "RssAnon", "RssFile", "Pss") and rest.split():
                values[key] = int(rest.split()[0]) * 1024
    return values


def memory_of(pid: int) -> dict[str, int]:
    """Memory of a server and its workers: peak of the largest process, current totals (PSS counts shared pages once)."""
    per_process = [m for m in (_process_memory(p) for p in _process_tree(pid)) if m]
    if not per_process:
        return {}
    return {"processes": len(per_process),
            "max_VmHWM": max(m.get("VmHWM", 0) for m in per_process),
            "sum_VmHWM": sum(m.get("VmHWM", 0) for m in per_process),
            **{f"sum_{key}": sum(m.get(key, 0) for m in per_process)
               for key in ("VmRSS", "RssAnon", "RssFile", "Pss")}}


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """(status, keep-alive) of one HTTP/1.1 response, body read and dropped."""
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("connexion fermée")
    status = int(status_line.split()[1])
    length, keep = 0, True
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "connection" and value.strip().lower() == "close":
            keep = False
    await reader.readexactly(length)
    return status, keep


async def _load(port: int, paths: list[str], clients: int, duration: float, max_requests: int) -> dict:
    deadline = time.perf_counter() + duration
    latencies: list[float] = []
    errors: Counter = Counter()
    issued = [0]

    async def client(offset: int) -> None:
        reader = writer = None
        i = offset
        while time.perf_counter() < deadline and issued[0] < max_requests:
            issued[0] += 1
            path = paths[i % len(paths)]
            i += 1
            started = time.perf_counter()
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode("ascii"))
                status, keep = await asyncio.wait_for(_read_response(reader), timeout=60)
                latencies.append((time.perf_counter() - started) * 1000)
                if status != 200:
                    errors[f"HTTP {status}"] += 1
                if not keep:
                    writer.close()
                    reader = writer = None
            except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError, IndexError) as exc:
                errors[type(exc).__name__] += 1
                if writer is not None:
                    writer.close()
                reader = writer = None
        if writer is not None:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client(k * 7) for k in range(clients)))
    elapsed = time.perf_counter() - started
    return {"requests": len(latencies) + sum(errors.values()), "seconds": elapsed,
            "rps": len(latencies) / elapsed if elapsed else 0.0, "errors": dict(errors),
            **{k: v for k, v in percentiles(latencies).items() if k != "count"}}


def http_load(port: int, paths: list[str], clients: int, duration: float, max_requests: int) -> dict:
    return asyncio.run(_load(port, paths, clients, duration, max_requests))


def bench_http(root: Path, mix: list[MixQuery], opts: Options, report: Report, targets: Targets) -> dict:
    paths = [q.url() for q in mix]
    results: dict[str, Any] = {}
    report.section("Service HTTP (python -m search_app.serve, 127.0.0.1, mélange de requêtes)")
    for label, env in (("cache activé (défaut)", {}), ("cache désactivé", {"SEARCH_CACHE_SIZE": "0"})):
        port = free_port()
        log(f"serveur HTTP ({label}) sur le port {port}")
        started = time.perf_counter()
        proc = start_server(root, port, opts.workdir / f"server-{opts.tag}.log", env)
        try:
            cold = wait_ready(proc, port, paths[0], started)
            warm_up(port, paths, opts.http_duration)
            runs = {}
            for clients in (8, 32):
                log(f"charge HTTP : {clients} clients, {opts.http_duration:g} s")
                runs[clients] = http_load(port, paths, clients, opts.http_duration, opts.http_requests)
            memory = memory_of(proc.pid)
        finally:
            stop_server(proc)
        results[label] = {"cold_start_s": cold, "memory": memory, "load": runs}
        if not env:
            report.add("Démarrage à froid (lancement → 1re réponse /api/search)", f"{cold:.2f} s",
                       f"≤ {COLD_START_TARGET_S:g} s", cold <= COLD_START_TARGET_S)
        for clients, run in runs.items():
            errors = sum(run["errors"].values())
            target, ok = "", None
            if clients == 32 and targets.http_rps_32:
                target = f"≥ {targets.http_rps_32:g} req/s, 0 erreur"
                ok = run["rps"] >= targets.http_rps_32 and errors == 0
            detail = ", ".join(f"{k}: {v}" for k, v in run["errors"].items())
            report.add(f"HTTP {clients} clients, {label} — débit, p50 / p95",
                       f"{run['rps']:.0f} req/s, {ms(run['p50'])} / {ms(run['p95'])}, "
                       f"{errors} erreur(s){f' ({detail})' if detail else ''}, {run['requests']} requêtes",
                       target, ok)
        if memory:
            mib = {key: value / 2**20 for key, value in memory.items() if key != "processes"}
            report.add(f"Mémoire du serveur ({memory['processes']} processus), {label}",
                       f"PSS totale en fin de charge {mib['sum_Pss']:.0f} Mio (RSS {mib['sum_VmRSS']:.0f} : "
                       f"anonyme {mib['sum_RssAnon']:.0f}, fichiers {mib['sum_RssFile']:.0f}) ; "
                       f"pic VmHWM {mib['max_VmHWM']:.0f} Mio par processus, somme {mib['sum_VmHWM']:.0f}",
                       "≤ 1 Gio (PSS totale)", memory["sum_Pss"] <= RSS_TARGET)
    return results


# -- SQLite FTS5 ---------------------------------------------------------------------------------


def bench_sqlite(fiches: list[Fiche], mix: list[MixQuery], opts: Options, ours: dict, build_rate: float,
                 report: Report) -> dict:
    if not fts5.fts5_available():
        report.section("SQLite FTS5")
        report.add("SQLite FTS5", "indisponible dans ce sqlite3")
        return {}
    path, info = prepare_sqlite(fiches, opts)
    searcher = fts5.Fts5Searcher(path)
    try:
        log("SQLite FTS5 : mélange de requêtes")
        full = percentiles([v for _, v in timed_rounds(mix, searcher.search, opts.duration / 2)])
        top = percentiles([v for _, v in timed_rounds(mix, searcher.top, opts.duration / 4)])
    finally:
        searcher.close()
    rate = len(fiches) / info["seconds"]
    report.section("Pair : SQLite FTS5 (mêmes fiches, même mélange ; pas de racinisation)")
    report.add("Construction SQLite FTS5", f"{number(rate)} fiches/s ({info['seconds']:.1f} s, "
               f"{info['bytes'] / 1e6:.0f} Mo){' (réutilisée)' if info['reused'] else ''}")
    report.add("Construction : nous (2 processus) / SQLite, en débit", f"× {ratio(build_rate, rate)}")
    report.add("SQLite : recherche complète (top 10 + extraits + total + facettes) — p50 / p95 / p99", spread(full))
    report.add("Recherche complète : nous / SQLite (p50, p95)",
               f"× {ratio(ours['search']['p50'], full['p50'])}, × {ratio(ours['search']['p95'], full['p95'])}")
    report.add("SQLite : requête classée simple (top 10) — p50 / p95 / p99", spread(top))
    report.add("Requête simple : Whoosh / SQLite (p50, p95)",
               f"× {ratio(ours['plain']['p50'], top['p50'])}, × {ratio(ours['plain']['p95'], top['p95'])}")
    return {"build": info, "search": full, "plain": top}


# -- the whole run -----------------------------------------------------------------------------


def run(opts: Options) -> Report:
    opts.workdir.mkdir(parents=True, exist_ok=True)
    targets = Targets.for_size(opts.n)
    report = Report(f"Banc d'essai : {number(opts.n)} fiches synthétiques (graine {opts.seed}), "
                    f"{os.cpu_count()} cœurs, Python {sys.version.split()[0]}")
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
    builds = {}
    for procs in sorted(set(opts.builds) | {2}):
        root, info = prepare_index(fiches, opts, procs)
        builds[procs] = (root, info)
        rate = info["indexed"] / info["seconds"]
        target, ok = ("", None) if procs == 1 else (f"≥ {number(BUILD_RATE_TARGET)} fiches/s", rate >= BUILD_RATE_TARGET)
        report.add(f"Construction, build_index(procs={procs})",
                   f"{number(rate)} fiches/s ({info['seconds']:.1f} s){' (réutilisée)' if info['reused'] else ''}",
                   target, ok)
    root, info = builds[2]
    report.add("Taille de l'index sur disque (procs=2)", f"{info['bytes'] / 1e6:.0f} Mo")

    mix = query_mix()
    ours = bench_engine(root, mix, fiches, opts, report, targets)
    results: dict[str, Any] = {"n": opts.n, "seed": opts.seed, "files": opts.files, "corpus": corpus_info,
                               "parse_seconds": parse_seconds,
                               "builds": {str(p): i for p, (_, i) in builds.items()}, "engine": ours}
    if not opts.skip_http:
        results["http"] = bench_http(root, mix, opts, report, targets)
    if not opts.skip_sqlite:
        build_rate = info["indexed"] / info["seconds"]
        results["sqlite"] = bench_sqlite(fiches, mix, opts, ours, build_rate, report)
    own_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    load = os.getloadavg()
    report.section("Machine")
    report.add("Charge moyenne en fin de mesure (1, 5, 15 min)", " / ".join(f"{v:.1f}" for v in load),
               f"≤ {os.cpu_count()} (au-delà, d'autres travaux faussent les mesures)")
    results["load_average"] = load
    report.add("Mémoire max du processus de banc d'essai (corpus, constructions et requêtes)",
               f"{own_rss / 2**20:.0f} Mio")
    results["bench_peak_rss"] = own_rss
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
@click.option("--rebuild", is_flag=True, help="Régénère corpus, index et base SQLite même s'ils existent.")
@click.option("--skip-http", is_flag=True, help="Sans le serveur HTTP (ni démarrage à froid ni débit).")
@click.option("--skip-sqlite", is_flag=True, help="Sans la comparaison SQLite FTS5.")
@click.option("--duration", type=click.FloatRange(min=0), default=20.0, show_default=True,
              help="Secondes de mesure par série de requêtes (au moins un passage complet).")
@click.option("--http-duration", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help="Secondes de charge HTTP par niveau de concurrence.")
@click.option("--single-build/--no-single-build", default=True, show_default=True,
              help="Mesure aussi build_index(procs=1) (long à 100 000 fiches).")
@click.option("--http-requests", type=click.IntRange(min=1), default=HTTP_MAX_REQUESTS, show_default=True,
              help="Nombre maximal de requêtes HTTP par niveau de concurrence.")
def main(n: int, seed: int, files: int | None, workdir: Path, rebuild: bool, skip_http: bool,
         skip_sqlite: bool, duration: float, http_duration: float, single_build: bool, http_requests: int) -> None:
    """Mesure le moteur de recherche sur N fiches synthétiques et affiche un tableau."""
    opts = Options(n, seed, files or default_files(n), workdir.resolve(), rebuild, skip_http, skip_sqlite,
                   duration, http_duration, http_requests, (1, 2) if single_build else (2,))
    report = run(opts)
    click.echo(report.markdown())


if __name__ == "__main__":
    main()
