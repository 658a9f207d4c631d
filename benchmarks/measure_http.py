"""Our engine behind the real server: cold start, HTTP throughput and latency at 8 and 32 clients, server memory."""

from __future__ import annotations

import asyncio
import http.client
import os
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from .prepare import PROJECT_DIR, Options, log
from .queries import MixQuery
from .report import COLD_START_TARGET_S, RSS_TARGET, Report, Targets, ms, percentiles

HTTP_MAX_REQUESTS = 50_000
READY_TIMEOUT = 180.0

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

