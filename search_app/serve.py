"""Production entry point: waitress serving `create_app()` (builds the index first if missing).

SIGTERM and SIGINT stop the server gracefully: it stops accepting connections,
finishes the requests already received (up to GRACE_SECONDS) and exits 0.
A second signal during that wait stops it at once.
"""

from __future__ import annotations

import logging
import signal
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


@click.command()
@click.option("--host", default=None, help="Adresse d'écoute (défaut : SEARCH_HOST ou 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (défaut : SEARCH_PORT ou 8000).")
@click.option("--threads", default=None, type=int, help="Fils de traitement (défaut : SEARCH_THREADS ou 8).")
def main(host: str | None, port: int | None, threads: int | None) -> None:
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
    try:
        server = create_server(app, host=host, port=port, threads=threads or settings.THREADS,
                               ident="centres-sociaux")
    except OSError as exc:
        _fail(f"impossible d'écouter sur {host}:{port} ({exc.strerror or exc})", EXIT_LISTEN_ERROR)
    port = getattr(server, "effective_port", port)
    click.echo(f"Recherche des actions des centres sociaux : http://{host}:{port}/", err=True)
    run_until_signalled(server)
    click.echo("Service arrêté.", err=True)


if __name__ == "__main__":
    main()
