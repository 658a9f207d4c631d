"""Production entry point: waitress serving `create_app()` (builds the index first if missing).

SIGTERM and SIGINT stop the server gracefully: it stops accepting connections,
finishes the requests already received (up to GRACE_SECONDS) and exits 0.
A second signal during that wait stops it at once.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import time
from collections.abc import MutableMapping
from typing import Any

import click
from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, create_server

from indexer.errors import IndexerError

from . import create_app
from .config import Settings

GRACE_SECONDS = 10.0
LOOP_TIMEOUT = 0.2
EXIT_CONFIG_ERROR = 2
EXIT_INDEX_ERROR = 3
EXIT_LISTEN_ERROR = 4

log = logging.getLogger("search_app")


def configure_logging() -> None:
    """Service messages with a timestamp; access lines as bare JSON objects, one per line."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    access = logging.getLogger("search_app.access")
    if not access.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        access.addHandler(handler)
    access.setLevel(logging.INFO)
    access.propagate = False


class _StopRequest:
    """Signal handler that only records the signal: the serving loop acts on it."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self.count = 0

    def __call__(self, signum: int, frame: Any) -> None:
        self.signum = signum
        self.count += 1


def _socket_map(server: Any) -> MutableMapping:
    return server._map if hasattr(server, "_map") else server.map


def _busy(socket_map: MutableMapping) -> bool:
    """Whether a connection still has a request being received, processed or sent."""
    return any(
        isinstance(channel, HTTPChannel)
        and (channel.requests or channel.request is not None or channel.total_outbufs_len)
        for channel in list(socket_map.values()))


def run_until_signalled(server: Any, grace: float = GRACE_SECONDS) -> int:
    """Serves until SIGTERM/SIGINT, then drains in-flight requests; returns the signal number."""
    stop = _StopRequest()
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    socket_map = _socket_map(server)
    try:
        while stop.signum is None:
            wasyncore.loop(timeout=LOOP_TIMEOUT, map=socket_map, count=1)
        log.info("arrêt demandé (%s) : fin des requêtes en cours", signal.Signals(stop.signum).name)
        for listener in [d for d in socket_map.values() if isinstance(d, BaseWSGIServer)]:
            wasyncore.dispatcher.close(listener)
        deadline = time.monotonic() + grace
        while True:
            wasyncore.loop(timeout=LOOP_TIMEOUT, map=socket_map, count=1)
            if not _busy(socket_map):
                break
            if stop.count > 1:
                log.warning("second signal : arrêt immédiat")
                break
            if time.monotonic() >= deadline:
                log.warning("requêtes encore en cours après %.0f s : arrêt forcé", grace)
                break
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        server.task_dispatcher.shutdown(cancel_pending=True, timeout=grace if stop.count <= 1 else 1.0)
        wasyncore.close_all(socket_map)
    return stop.signum


def _fail(message: str, code: int) -> None:
    click.echo(f"Erreur : {message}", err=True)
    sys.exit(code)


def _listening_socket(host: str, port: int) -> socket.socket:
    """The socket every worker process accepts on (bound once, before forking)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    sock.setblocking(False)
    return sock


def _serve_in_worker(app: Any, sock: socket.socket, threads: int) -> int:
    """Body of one worker process: its own waitress loop and threads on the shared socket."""
    # X-Forwarded-* reach the app, which applies them only behind SEARCH_TRUSTED_PROXIES (ProxyFix).
    server = create_server(app, sockets=[sock], threads=threads, ident="centres-sociaux",
                           clear_untrusted_proxy_headers=False)
    run_until_signalled(server)
    return 0


def run_workers(app: Any, sock: socket.socket, workers: int, threads: int) -> int:
    """Forks `workers` processes serving `sock`; forwards SIGTERM/SIGINT to them and waits.

    Python threads share one core; processes use them all. The index
    generation is opened before forking, so its arrays are shared
    (copy-on-write) and no worker pays for opening it on its first request.
    The parent keeps no copy of
    the listening socket, so once the workers have stopped accepting, new
    connections are refused.
    """
    children: list[int] = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                code = _serve_in_worker(app, sock, threads)
            except BaseException:
                log.exception("le processus de service %d s'est arrêté sur une erreur", os.getpid())
            finally:
                os._exit(code)
        children.append(pid)
    sock.close()

    def forward(signum: int, frame: Any) -> None:
        for child in children:
            try:
                os.kill(child, signum)
            except ProcessLookupError:
                pass

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, forward)
    status = 0
    for child in children:
        while True:
            try:
                _, code = os.waitpid(child, 0)
                break
            except InterruptedError:
                continue
        if os.waitstatus_to_exitcode(code) != 0:
            log.error("le processus de service %d s'est arrêté en erreur (%s)", child, code)
            status = 1
    return status


@click.command()
@click.option("--host", default=None, help="Adresse d'écoute (défaut : SEARCH_HOST ou 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (défaut : SEARCH_PORT ou 8000).")
@click.option("--threads", default=None, type=int, help="Fils par processus (défaut : SEARCH_THREADS ou 8).")
@click.option("--workers", default=None, type=int,
              help="Processus de service (défaut : SEARCH_WORKERS, ou un par cœur jusqu'à 2).")
def main(host: str | None, port: int | None, threads: int | None, workers: int | None) -> None:
    """Lance le service de recherche."""
    configure_logging()
    try:
        settings = Settings.load()
    except (TypeError, ValueError) as exc:
        _fail(f"configuration invalide ({exc}) : vérifiez les variables d'environnement SEARCH_*", EXIT_CONFIG_ERROR)
    try:
        app = create_app()
    except IndexerError as exc:
        _fail(str(exc), EXIT_INDEX_ERROR)
    host = host or settings.HOST
    port = settings.PORT if port is None else port
    threads = threads or settings.THREADS
    workers = max(1, workers or settings.WORKERS or min(2, os.cpu_count() or 1))
    try:
        sock = _listening_socket(host, port)
    except OSError as exc:
        _fail(f"impossible d'écouter sur {host}:{port} ({exc.strerror or exc})", EXIT_LISTEN_ERROR)
    port = sock.getsockname()[1]
    app.extensions["search_engine"].snapshot()
    click.echo(f"Recherche des actions des centres sociaux : http://{host}:{port}/ "
               f"({workers} processus × {threads} fils)", err=True)
    if workers == 1:
        status = _serve_in_worker(app, sock, threads)
    else:
        status = run_workers(app, sock, workers, threads)
    click.echo("Service arrêté.", err=True)
    sys.exit(status)


if __name__ == "__main__":
    main()
