"""Load test of the production server: concurrent keep-alive clients on 127.0.0.1 for a bounded time.

    python -m benchmarks.load [--clients 32] [--duration 60] [--max-requests 500000]
                              [--index DIR] [--corpus DIR] [--threads 8] [--max-rss-growth-mb 200]

Starts `python -m search_app.serve` itself (the index is built from the bundled
corpus into a temporary folder unless --index is given), sends a fixed mix of
API and page requests from --clients threads until --duration seconds or
--max-requests requests, then stops the server with SIGTERM. Prints requests/s,
latency percentiles, errors and the server's resident memory (VmRSS) when ready,
at its peak and at the end. Exits 1 if any request failed, if memory grew by
more than --max-rss-growth-mb between ready and end, or if the server did not
stop cleanly.
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import click
import numpy as np

PROJECT_DIR = Path(__file__).resolve().parent.parent
START_TIMEOUT = 120.0
STOP_TIMEOUT = 30.0
RSS_SAMPLE_SECONDS = 1.0
# Words of the bundled corpus: random pairs give more distinct searches than the result cache holds.
VOCABULARY = (
    "jardin", "parents", "enfants", "famille", "jeunes", "logement", "santé", "insertion", "quartier",
    "habitants", "lien", "social", "atelier", "sortie", "parentalité", "esthétique", "prévention",
    "animation", "rue", "plage", "construction", "vélo", "accueil", "petite", "enfance", "bénévoles",
    "école", "citoyenneté", "culture", "paroles", "porteur", "rencontre", "résidence", "turin", "café",
    "grossesse", "détente", "partenaires", "collectif", "participation",
)
PARAGRAPH = (
    "Nous voulons ouvrir un café des parents le mardi matin au centre social, animé par la référente "
    "familles, avec des ateliers parents enfants autour du jeu, de la lecture et de la cuisine, et des "
    "sorties familiales pendant les vacances pour rompre l'isolement des familles du quartier."
)


@dataclass(frozen=True)
class Request:
    kind: str
    method: str
    path: str
    body: bytes | None = None
    json_expected: bool = True


def search(kind: str, **params) -> Request:
    return Request(kind, "GET", "/api/search?" + urlencode(params, doseq=True))


def fixed_mix(ids: list[str]) -> list[Request]:
    """The repeated part of the traffic (answered from the result cache after the first time)."""
    similar_body = json.dumps({"text": PARAGRAPH, "limit": 5}).encode()
    mix = [
        search("search", q="jardin"), search("search", q="parents enfants"),
        search("search", q='"porteur de paroles"'), search("search", q="logement des jeunes"),
        search("search", q="esthéticienne"), search("search", q="titre:jardin OR turin"),
        search("search", q="enfants -parents"), search("search", q="parents", page=2, per_page=5),
        search("search", q="famille", sort="year"), search("typo", q="jardn partag"),
        search("facets", keyword="Parentalité"), search("facets", q="parents", keyword=["Santé", "Parentalité"]),
        Request("suggest", "GET", "/api/suggest?q=par"), Request("suggest", "GET", "/api/suggest?q=jar"),
        Request("similar", "POST", "/api/similar", similar_body),
        Request("page", "GET", "/?q=jardin", json_expected=False),
        Request("page", "GET", "/?keyword=Sant%C3%A9&sort=title", json_expected=False),
        Request("embed", "GET", "/embed?q=parents", json_expected=False),
        Request("health", "GET", "/healthz"),
    ]
    for fiche_id in ids[:5]:
        mix.append(Request("action", "GET", f"/api/actions/{fiche_id}"))
        mix.append(Request("similar", "GET", f"/api/actions/{fiche_id}/similar?limit=5"))
        mix.append(Request("page", "GET", f"/actions/{fiche_id}", json_expected=False))
    return mix


def uncached(rng: random.Random) -> Request:
    """A search unlikely to be in the cache: two random corpus words."""
    return search("search-uncached", q=" ".join(rng.sample(VOCABULARY, 2)))


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            if error:
                self.errors[f"{kind}: {error}"] += 1

    def all_latencies(self) -> np.ndarray:
        return np.array([s for values in self.latencies.values() for s in values]) * 1000

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.latencies.values())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _process_tree(pid: int) -> list[int]:
    """The process and its descendants (the server forks one worker per core)."""
    tree, index = [pid], 0
    while index < len(tree):
        try:
            with open(f"/proc/{tree[index]}/task/{tree[index]}/children", encoding="ascii") as children:
                tree.extend(int(child) for child in children.read().split())
        except OSError:
            pass
        index += 1
    return tree


def rss_mb(pid: int) -> float:
    """Resident memory of the server: the main process plus its workers."""
    total, found = 0.0, False
    for member in _process_tree(pid):
        try:
            with open(f"/proc/{member}/status", encoding="ascii") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) / 1024
                        found = True
        except OSError:
            continue
    if not found:
        raise RuntimeError(f"no VmRSS for process {pid}")
    return total


def start_server(index_dir: Path, corpus_dir: Path, port: int, threads: int, log_path: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEARCH_")}
    env.update(SEARCH_INDEX_DIR=str(index_dir), SEARCH_CORPUS_DIR=str(corpus_dir),
               PYTHONPATH=os.pathsep.join(filter(None, [str(PROJECT_DIR), env.get("PYTHONPATH")])))
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "search_app.serve", "--host", "127.0.0.1", "--port", str(port),
             "--threads", str(threads)],
            cwd=PROJECT_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise click.ClickException(f"le serveur s'est arrêté au démarrage (code {process.returncode}), "
                                       f"voir {log_path}")
        try:
            status, _ = fetch(http.client.HTTPConnection("127.0.0.1", port, timeout=5), Request("h", "GET", "/healthz"))
            if status == 200:
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise click.ClickException(f"le serveur n'a pas répondu en {START_TIMEOUT:.0f} s, voir {log_path}")


def fetch(connection: http.client.HTTPConnection, request: Request) -> tuple[int, bytes]:
    headers = {"Content-Type": "application/json"} if request.body is not None else {}
    connection.request(request.method, request.path, body=request.body, headers=headers)
    response = connection.getresponse()
    return response.status, response.read()


def check(request: Request, status: int, body: bytes) -> str | None:
    if status != 200:
        return f"HTTP {status}"
    if request.json_expected:
        try:
            json.loads(body)
        except ValueError:
            return "invalid JSON"
    elif b"</html>" not in body:
        return "truncated page"
    return None


def client_loop(number: int, port: int, mix: list[Request], results: Results, stop_at: float,
                budget: itertools.count, max_requests: int) -> None:
    """One keep-alive client: cycles through the mix (every third request an uncached search)."""
    rng = random.Random(number)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    position = number
    while time.monotonic() < stop_at and next(budget) < max_requests:
        request = uncached(rng) if position % 3 == 0 else mix[position % len(mix)]
        position += 1
        started = time.perf_counter()
        try:
            status, body = fetch(connection, request)
            error = check(request, status, body)
        except (OSError, http.client.HTTPException) as exc:
            error = type(exc).__name__
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        results.record(request.kind, time.perf_counter() - started, error)
    connection.close()


def sample_rss(pid: int, stop: threading.Event, samples: list[float]) -> None:
    while not stop.wait(RSS_SAMPLE_SECONDS):
        try:
            samples.append(rss_mb(pid))
        except (OSError, RuntimeError):
            return


def fiche_ids(port: int) -> list[str]:
    status, body = fetch(http.client.HTTPConnection("127.0.0.1", port, timeout=10),
                         Request("ids", "GET", "/api/search?per_page=10&sort=title"))
    if status != 200:
        raise click.ClickException(f"impossible de lister les fiches (HTTP {status})")
    return [hit["id"] for hit in json.loads(body)["hits"]]


def percentiles(values_ms: np.ndarray) -> str:
    if not len(values_ms):
        return "-"
    p50, p95, p99 = np.percentile(values_ms, [50, 95, 99])
    return f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms, max {values_ms.max():.1f} ms"


def report(results: Results, elapsed: float, rss: dict[str, float], bound: float, exit_code: int | None,
           clients: int) -> bool:
    count = results.count
    growth = rss["end"] - rss["ready"]
    click.echo(f"Clients {clients}, durée {elapsed:.1f} s, requêtes {count}, {count / elapsed:.1f} req/s")
    click.echo(f"Latence (toutes) : {percentiles(results.all_latencies())}")
    for kind in sorted(results.latencies):
        values = np.array(results.latencies[kind]) * 1000
        click.echo(f"  {kind:16} {len(values):7d} req  {percentiles(values)}")
    errors = sum(results.errors.values())
    click.echo(f"Erreurs : {errors}")
    for description, n in results.errors.most_common(10):
        click.echo(f"  {n} × {description}")
    click.echo(f"Mémoire du serveur (VmRSS) : prêt {rss['ready']:.1f} Mo, pic {rss['peak']:.1f} Mo, "
               f"fin {rss['end']:.1f} Mo, croissance {growth:+.1f} Mo (limite {bound:.0f} Mo)")
    click.echo(f"Arrêt du serveur par SIGTERM : code {exit_code}")
    ok = errors == 0 and growth <= bound and exit_code == 0
    click.echo("RÉSULTAT : " + ("OK" if ok else "ÉCHEC"))
    return ok


@click.command()
@click.option("--clients", default=32, show_default=True, help="Clients simultanés (connexions keep-alive).")
@click.option("--duration", default=60.0, show_default=True, help="Durée maximale du tir, en secondes.")
@click.option("--max-requests", default=500_000, show_default=True, help="Nombre maximal de requêtes.")
@click.option("--index", "index_dir", type=click.Path(path_type=Path), default=None,
              help="Index à servir (défaut : construit depuis le corpus dans un dossier temporaire).")
@click.option("--corpus", "corpus_dir", type=click.Path(path_type=Path), default=PROJECT_DIR / "corpus",
              show_default=True, help="Corpus servant à construire l'index.")
@click.option("--threads", default=8, show_default=True, help="Fils de traitement du serveur.")
@click.option("--max-rss-growth-mb", default=200.0, show_default=True,
              help="Croissance mémoire tolérée entre le démarrage et la fin, en Mo.")
def main(clients: int, duration: float, max_requests: int, index_dir: Path | None, corpus_dir: Path,
         threads: int, max_rss_growth_mb: float) -> None:
    """Tir de charge borné contre le serveur de production sur 127.0.0.1."""
    with tempfile.TemporaryDirectory(prefix="load-") as workdir:
        port = free_port()
        log_path = Path(workdir) / "server.log"
        process = start_server(index_dir or Path(workdir) / "index", corpus_dir, port, threads, log_path)
        try:
            mix = fixed_mix(fiche_ids(port))
            rss = {"ready": rss_mb(process.pid)}
            samples: list[float] = [rss["ready"]]
            stop_sampling = threading.Event()
            sampler = threading.Thread(target=sample_rss, args=(process.pid, stop_sampling, samples), daemon=True)
            sampler.start()
            results = Results()
            budget = itertools.count()
            started = time.monotonic()
            workers = [threading.Thread(target=client_loop,
                                        args=(n, port, mix, results, started + duration, budget, max_requests))
                       for n in range(clients)]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join()
            elapsed = time.monotonic() - started
            stop_sampling.set()
            sampler.join()
            rss["end"] = rss_mb(process.pid)
            rss["peak"] = max(samples + [rss["end"]])
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
            try:
                exit_code = process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                exit_code = None
        ok = report(results, elapsed, rss, max_rss_growth_mb, exit_code, clients)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
