"""Production entry point: waitress serving `create_app()` (builds the index first if missing).

SIGTERM and SIGINT stop the server gracefully: it stops accepting connections,
finishes the requests already received (up to GRACE_SECONDS) and exits 0.
A second signal during that wait stops it at once.

With several workers the parent supervises them: a worker that dies is
forked again (at most MAX_RESTARTS a minute, each logged), and `/healthz`
reports "degraded" while one is missing. Waitress is tuned for facing
clients directly: bodies above MAX_BODY_BYTES are refused from their
headers (never spooled to disk), idle connections are closed after
CHANNEL_TIMEOUT seconds and up to CONNECTION_LIMIT are held per process.
"""

from __future__ import annotations

import json
import logging
import os
import resource
import signal
import socket
import sys
import time
from collections import deque
from collections.abc import MutableMapping
from typing import Any

import click
from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, create_server
from waitress.task import ErrorTask

from indexer.errors import IndexerError

from . import create_app
from .config import Settings

GRACE_SECONDS = 10.0
LOOP_TIMEOUT = 0.2
RESTART_WINDOW = 60.0
# File descriptors kept besides connections (index files, logs, pipes).
SPARE_FDS = 256
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


_SERVER_ERRORS = {
    400: ("bad_request", "requête HTTP invalide"),
    413: ("payload_too_large", "corps de requête trop volumineux"),
    431: ("headers_too_large", "en-têtes de requête trop volumineux"),
}


class _JsonErrorTask(ErrorTask):
    """Errors waitress answers itself (body or headers too large, malformed request) as the app's JSON errors."""

    def execute(self) -> None:
        error = self.request.error
        code, message = _SERVER_ERRORS.get(error.code, ("bad_request", "requête HTTP invalide"))
        body = json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False).encode("utf-8")
        self.status = f"{error.code} {error.reason}"
        self.response_headers.extend([("Content-Type", "application/json"),
                                      ("X-Content-Type-Options", "nosniff")])
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class _Channel(HTTPChannel):
    error_task_class = _JsonErrorTask


def waitress_options(settings: Settings) -> dict[str, Any]:
    """Waitress settings for clients met directly: bounded bodies, idle connections reaped, many held."""
    return {
        "max_request_body_size": settings.MAX_BODY_BYTES,
        "max_request_header_size": 64 * 1024,
        "connection_limit": settings.CONNECTION_LIMIT,
        "channel_timeout": settings.CHANNEL_TIMEOUT,
        "cleanup_interval": max(1, min(30, settings.CHANNEL_TIMEOUT // 3)),
        "ident": "centres-sociaux",
    }


def raise_open_file_limit(connections: int, workers: int) -> int:
    """Raises the soft limit on open files so every worker can hold its connections; returns it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = connections * workers + SPARE_FDS
    if soft != resource.RLIM_INFINITY and soft < wanted:
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    return soft


def _serve_in_worker(app: Any, sock: socket.socket, threads: int) -> int:
    """Body of one worker process: its own waitress loop and threads on the shared socket."""
    options = waitress_options(app.extensions["search_settings"])
    # X-Forwarded-* reach the app, which applies them only behind SEARCH_TRUSTED_PROXIES (ProxyFix).
    options["clear_untrusted_proxy_headers"] = False
    server = create_server(app, sockets=[sock], threads=threads, **options)
    server.channel_class = _Channel
    run_until_signalled(server)
    return 0


def _fork_worker(app: Any, sock: socket.socket, threads: int) -> int:
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, signal.SIG_DFL)
            code = _serve_in_worker(app, sock, threads)
        except BaseException:
            log.exception("le processus de service %d s'est arrêté sur une erreur", os.getpid())
        finally:
            os._exit(code)
    return pid


class _Supervisor:
    """The serving parent: forks the workers, restarts dead ones within a rate, forwards stop signals."""

    def __init__(self, app: Any, sock: socket.socket, workers: int, threads: int, max_restarts: int) -> None:
        self.app, self.sock, self.workers, self.threads = app, sock, workers, threads
        self.health = app.extensions["search_health"]
        self.max_restarts = max_restarts
        self.children: set[int] = set()
        self.restarts: deque[float] = deque()
        self.stopping: int | None = None

    def _publish(self) -> None:
        self.health.set_workers(self.workers, len(self.children))

    def _start_one(self) -> None:
        pid = _fork_worker(self.app, self.sock, self.threads)
        self.children.add(pid)
        if self.stopping is not None:
            os.kill(pid, self.stopping)

    def stop(self, signum: int, frame: Any) -> None:
        """Closes the parent's copy of the socket (new connections refused) and stops every worker."""
        self.stopping = signum
        self.sock.close()
        for child in list(self.children):
            try:
                os.kill(child, signum)
            except ProcessLookupError:
                pass

    def _may_restart(self) -> bool:
        now = time.monotonic()
        while self.restarts and now - self.restarts[0] > RESTART_WINDOW:
            self.restarts.popleft()
        if len(self.restarts) >= self.max_restarts:
            return False
        self.restarts.append(now)
        return True

    def _reap(self, pid: int, code: int) -> int:
        """Handles one dead worker; returns 1 if it ended in error."""
        self.children.discard(pid)
        failed = os.waitstatus_to_exitcode(code) != 0
        if self.stopping is not None:
            if failed:
                log.error("le processus de service %d s'est arrêté en erreur (%s)", pid, code)
            return int(failed)
        log.error("le processus de service %d s'est arrêté (code %s)", pid, os.waitstatus_to_exitcode(code))
        if self._may_restart():
            self._start_one()
            log.warning("processus de service relancé (%d relance(s) dans la dernière minute)", len(self.restarts))
        else:
            log.error("plus de %d relances par minute : le processus n'est pas relancé, service dégradé",
                      self.max_restarts)
        self._publish()
        return 0

    def run(self) -> int:
        for _ in range(self.workers):
            self._start_one()
        self._publish()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self.stop)
        status = 0
        while self.children:
            try:
                pid, code = os.wait()
            except ChildProcessError:
                break
            if pid in self.children:
                status |= self._reap(pid, code)
        if self.stopping is None:
            log.error("plus aucun processus de service : arrêt")
            status = 1
        return status


def run_workers(app: Any, sock: socket.socket, workers: int, threads: int, max_restarts: int = 5) -> int:
    """Forks `workers` processes serving `sock`, restarts those that die, stops them on SIGTERM/SIGINT.

    Python threads share one core; processes use them all. The index
    generation is opened before forking, so its arrays are shared
    (copy-on-write) and no worker pays for opening it on its first request.
    The parent keeps the listening socket to fork replacements and closes it
    on the stop signal, so once the workers have stopped accepting, new
    connections are refused.
    """
    return _Supervisor(app, sock, workers, threads, max_restarts).run()


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
        app.extensions["search_engine"].stats()
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
    raise_open_file_limit(settings.CONNECTION_LIMIT, workers)
    click.echo(f"Recherche des actions des centres sociaux : http://{host}:{port}/ "
               f"({workers} processus × {threads} fils)", err=True)
    if workers == 1:
        status = _serve_in_worker(app, sock, threads)
    else:
        status = run_workers(app, sock, workers, threads, settings.MAX_RESTARTS)
    click.echo("Service arrêté.", err=True)
    sys.exit(status)


if __name__ == "__main__":
    main()
