"""The production server for real: waitress on a loopback port, queried over HTTP, stopped by a signal.

Also start-up on a missing or damaged index, in-process (`create_app`) and from the command line.
"""

from __future__ import annotations

import http.client
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from indexer.build import read_current
from indexer.errors import IndexCorrupt, IndexNotFound

PROJECT_DIR = Path(__file__).resolve().parent.parent
START_TIMEOUT = 60.0
STOP_TIMEOUT = 20.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    index_dir: Path
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout=STOP_TIMEOUT)


def child_env(**extra: str) -> dict[str, str]:
    """This environment without SEARCH_* settings, the project importable, plus `extra`."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("SEARCH_")}
    env.update(PYTHONPATH=os.pathsep.join(filter(None, [str(PROJECT_DIR), env.get("PYTHONPATH")])), **extra)
    return env


def server_env(index_dir: Path, corpus_dir: Path, **extra: str) -> dict[str, str]:
    return child_env(SEARCH_INDEX_DIR=str(index_dir), SEARCH_CORPUS_DIR=str(corpus_dir), **extra)


def start_server(tmp_path: Path, sample_corpus: Path, threads: int = 4, workers: int | None = None,
                 **env: str) -> Server:
    corpus = tmp_path / "corpus"
    if not corpus.exists():
        shutil.copytree(sample_corpus, corpus)
    index_dir, port, log_path = tmp_path / "index", free_port(), tmp_path / "server.log"
    extra_args = ["--workers", str(workers)] if workers else []
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "search_app.serve", "--host", "127.0.0.1", "--port", str(port),
             "--threads", str(threads), *extra_args],
            cwd=PROJECT_DIR, env=server_env(index_dir, corpus, **env), stdout=log, stderr=subprocess.STDOUT)
    server = Server(process, port, index_dir, log_path)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}:\n{server.log()}")
        try:
            with urllib.request.urlopen(f"{server.url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.1)
    server.stop(signal.SIGKILL)
    raise AssertionError(f"server not ready after {START_TIMEOUT} s:\n{server.log()}")


@pytest.fixture(scope="module")
def server(tmp_path_factory, sample_corpus):
    server = start_server(tmp_path_factory.mktemp("server"), sample_corpus)
    yield server
    if server.process.poll() is None:
        server.stop()


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


# -- queried over HTTP -----------------------------------------------------------------------------


def test_healthz_reports_generation_and_documents(server):
    status, headers, body = get(f"{server.url}/healthz")
    assert status == 200
    assert headers["Content-Type"].startswith("application/json")
    assert json.loads(body) == {"status": "ok", "generation": read_current(server.index_dir).name, "documents": 14,
                                "semantic": True}


def test_search_over_http(server):
    status, headers, body = get(f"{server.url}/api/search?q=jardin")
    assert status == 200
    assert headers["Content-Type"].startswith("application/json")
    assert headers["X-Content-Type-Options"] == "nosniff"
    data = json.loads(body)
    assert data["query"] == "jardin" and data["total"] >= 1
    first = data["hits"][0]
    assert first["title"].startswith("Jardin partagé")
    assert first["url"] == f"{server.url}/actions/{first['id']}"
    status, _, body = get(first["url"])
    assert status == 200 and b"Jardin partag" in body


def test_errors_over_http(server):
    status, headers, body = get(f"{server.url}/api/nexiste-pas")
    assert status == 404 and headers["Content-Type"].startswith("application/json")
    assert json.loads(body)["error"]["code"] == "not_found"
    status, _, body = get(f"{server.url}/api/search?q=%ED%A0%80%FF%00(titre%3A&page=abc")
    assert status == 400
    assert "nombre entier" in json.loads(body)["error"]["message"]
    status, _, body = get(f"{server.url}/api/search?q=%ED%A0%80%FF%00(titre%3A")
    assert status == 200 and "total" in json.loads(body)


def test_oversized_chunked_body_is_refused(server):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=20)
    chunk = b'{"text": "' + b"jardin " * 100_000
    connection.request("POST", "/api/similar", body=iter([chunk, b'"}']),
                       headers={"Content-Type": "application/json"}, encode_chunked=True)
    response = connection.getresponse()
    data = json.loads(response.read())
    connection.close()
    assert response.status == 413
    assert data["error"]["code"] == "payload_too_large"


def test_access_log_is_one_json_object_per_line(server):
    get(f"{server.url}/api/search?q=parents%20enfants&page=1")
    get(f"{server.url}/page-inconnue")
    records = []
    for line in server.log().splitlines():
        if line.startswith("{"):
            records.append(json.loads(line))
    search = [r for r in records if r["path"] == "/api/search" and r["query_length"] == len("parents enfants")]
    assert search, records[-5:]
    record = search[-1]
    assert set(record) >= {"time", "method", "path", "status", "duration_ms", "query_length", "remote"}
    assert (record["method"], record["status"], record["remote"]) == ("GET", 200, "127.0.0.1")
    assert record["duration_ms"] >= 0
    assert any(r["path"] == "/page-inconnue" and r["status"] == 404 for r in records)
    assert not any("parents enfants" in line for line in server.log().splitlines() if line.startswith("{"))


# -- graceful shutdown ----------------------------------------------------------------------------


def read_response(sock: socket.socket) -> tuple[int, bytes]:
    response = http.client.HTTPResponse(sock)
    response.begin()
    return response.status, response.read()


def wait_until_refused(port: int) -> None:
    deadline = time.monotonic() + STOP_TIMEOUT
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except ConnectionRefusedError:
            return
        time.sleep(0.05)
    raise AssertionError("server still accepting connections after SIGTERM")


def test_sigterm_finishes_the_request_in_flight_then_exits_0(tmp_path, sample_corpus):
    server = start_server(tmp_path, sample_corpus)
    try:
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=20)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        assert read_response(sock)[0] == 200
        body = json.dumps({"text": "atelier parents enfants autour du jeu", "limit": 3}).encode()
        half = len(body) // 2
        sock.sendall(b"POST /api/similar HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                     b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body[:half])
        time.sleep(0.5)
        server.process.send_signal(signal.SIGTERM)
        wait_until_refused(server.port)
        sock.sendall(body[half:])
        status, payload = read_response(sock)
        sock.close()
        assert status == 200
        assert len(json.loads(payload)["hits"]) == 3
        assert server.process.wait(timeout=STOP_TIMEOUT) == 0
        log = server.log()
        assert "arrêt demandé (SIGTERM)" in log and "Service arrêté." in log
        assert "Traceback" not in log
    finally:
        if server.process.poll() is None:
            server.stop(signal.SIGKILL)


def test_second_signal_stops_without_waiting_for_a_stalled_client(tmp_path, sample_corpus):
    server = start_server(tmp_path, sample_corpus)
    try:
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=20)
        sock.sendall(b"POST /api/similar HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 1000\r\n\r\n{\"text\": \"jard")
        time.sleep(0.5)
        server.process.send_signal(signal.SIGTERM)
        wait_until_refused(server.port)
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=STOP_TIMEOUT) == 0
        try:
            closed_with = sock.recv(1024)
        except ConnectionResetError:
            closed_with = b""
        sock.close()
        assert closed_with == b"", "the stalled request must not be answered"
        assert "arrêt immédiat" in server.log()
    finally:
        if server.process.poll() is None:
            server.stop(signal.SIGKILL)


def test_sigint_stops_the_server_cleanly(tmp_path, sample_corpus):
    server = start_server(tmp_path, sample_corpus)
    assert get(f"{server.url}/api/search?q=turin")[0] == 200
    assert server.stop(signal.SIGINT) == 0
    assert "Traceback" not in server.log() and "KeyboardInterrupt" not in server.log()


# -- start-up on a missing or damaged index -------------------------------------------------------


def point_current_at_missing_generation(root: Path) -> None:
    (root / "CURRENT").write_text("00000000000000000000-1\n", encoding="utf-8")


def fill_generation_with_garbage(root: Path) -> None:
    for file in read_current(root).path.iterdir():
        file.write_bytes(os.urandom(max(64, file.stat().st_size)))


def truncate_segments(root: Path) -> None:
    for file in read_current(root).path.iterdir():
        if file.name.startswith("MAIN_") and file.name != "MAIN_WRITELOCK":
            file.write_bytes(file.read_bytes()[: file.stat().st_size // 2])


DAMAGES = {"missing generation": point_current_at_missing_generation,
           "garbage files": fill_generation_with_garbage,
           "truncated segments": truncate_segments}


@pytest.fixture
def damaged(request, fresh_index) -> Path:
    DAMAGES[request.param](fresh_index)
    return fresh_index


@pytest.mark.parametrize("damaged", list(DAMAGES), indirect=True)
def test_damaged_index_is_rebuilt_from_the_corpus(damaged, sample_corpus):
    from search_app import create_app

    app = create_app({"INDEX_DIR": damaged, "CORPUS_DIR": sample_corpus, "BUILD_IF_MISSING": True})
    client = app.test_client()
    health = client.get("/healthz").get_json()
    assert health["documents"] == 14
    assert health["generation"] == read_current(damaged).name
    assert client.get("/api/search?q=jardin").get_json()["hits"][0]["title"].startswith("Jardin partagé")


def test_an_empty_corpus_starts_an_empty_service(tmp_path):
    from search_app import create_app

    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "vide.txt").write_text("Actions\n", encoding="utf-8")
    app = create_app({"INDEX_DIR": tmp_path / "index", "CORPUS_DIR": tmp_path / "corpus", "BUILD_IF_MISSING": True})
    client = app.test_client()
    assert client.get("/healthz").get_json()["documents"] == 0
    response = client.get("/api/search?q=jardin")
    assert response.status_code == 200
    assert response.get_json()["total"] == 0
    for path in ("/", "/?q=jardin&sort=title", "/api/suggest?q=jar", "/api/search?q=jardn", "/embed?q=jardin"):
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize("damaged", list(DAMAGES), indirect=True)
def test_damaged_index_without_rebuild_is_a_clear_error(damaged, sample_corpus):
    from search_app import create_app

    with pytest.raises(IndexCorrupt) as caught:
        create_app({"INDEX_DIR": damaged, "CORPUS_DIR": sample_corpus, "BUILD_IF_MISSING": False})
    message = str(caught.value)
    assert message.startswith(f"l'index « {damaged}")
    assert "reconstruisez-le avec `python -m indexer build`" in message


def test_missing_index_without_rebuild_is_a_clear_error(tmp_path, sample_corpus):
    from search_app import create_app

    with pytest.raises(IndexNotFound, match="aucun index dans"):
        create_app({"INDEX_DIR": tmp_path / "nothing", "CORPUS_DIR": sample_corpus, "BUILD_IF_MISSING": False})


def run_serve(index_dir: Path, corpus_dir: Path, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "search_app.serve", "--host", "127.0.0.1", "--port", str(free_port())],
        cwd=PROJECT_DIR, env=server_env(index_dir, corpus_dir, **extra), capture_output=True, text=True,
        timeout=START_TIMEOUT)


@pytest.mark.parametrize("damaged", ["missing generation", "truncated segments"], indirect=True)
def test_serve_command_prints_the_message_without_traceback(damaged, sample_corpus):
    result = run_serve(damaged, sample_corpus, SEARCH_BUILD_IF_MISSING="0")
    assert result.returncode == 3
    assert "Traceback" not in result.stderr
    assert f"Erreur : l'index « {damaged}" in result.stderr
    assert "reconstruisez-le" in result.stderr


def test_serve_command_with_a_bad_setting_or_a_busy_port(tmp_path, sample_index, sample_corpus):
    result = run_serve(sample_index, sample_corpus, SEARCH_THREADS="beaucoup")
    assert result.returncode == 2
    assert "Erreur : configuration invalide" in result.stderr and "Traceback" not in result.stderr
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "search_app.serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=PROJECT_DIR, env=server_env(sample_index, sample_corpus), capture_output=True, text=True,
            timeout=START_TIMEOUT)
    assert result.returncode == 4
    assert f"Erreur : impossible d'écouter sur 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


def test_load_script_runs_against_the_real_server():
    """The bounded load test (benchmarks/load.py), in miniature: it must run clean end to end."""
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.load", "--clients", "4", "--duration", "2", "--max-requests", "300"],
        cwd=PROJECT_DIR, env=child_env(), capture_output=True, text=True,
        timeout=START_TIMEOUT * 2)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Erreurs : 0" in result.stdout and "RÉSULTAT : OK" in result.stdout
    assert "Arrêt du serveur par SIGTERM : code 0" in result.stdout


# -- supervision: dead workers, damaged generations -------------------------------------------------


def worker_pids(server: Server) -> set[int]:
    pid = server.process.pid
    raw = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return {int(child) for child in raw.split()}


def health(server: Server) -> tuple[int, dict]:
    status, _, body = get(f"{server.url}/healthz")
    return status, json.loads(body)


def wait_for(condition, timeout: float = 20.0, step: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"condition not met after {timeout} s")


def test_a_killed_worker_is_restarted(tmp_path, sample_corpus):
    server = start_server(tmp_path, sample_corpus, workers=2)
    try:
        workers = wait_for(lambda: len(worker_pids(server)) == 2 and worker_pids(server))
        victim = min(workers)
        os.kill(victim, signal.SIGKILL)
        replaced = wait_for(lambda: (lambda now: len(now) == 2 and victim not in now and now)(worker_pids(server)))
        assert len(replaced & workers) == 1
        assert wait_for(lambda: health(server)[0] == 200)
        for _ in range(20):
            assert get(f"{server.url}/api/search?q=jardin")[0] == 200
        log = server.log()
        assert f"le processus de service {victim} s'est arrêté (code -9)" in log
        assert "processus de service relancé (1 relance(s) dans la dernière minute)" in log
        assert server.stop() == 0
    finally:
        if server.process.poll() is None:
            server.stop(signal.SIGKILL)


def test_a_worker_beyond_the_restart_rate_stays_down_and_health_says_so(tmp_path, sample_corpus):
    server = start_server(tmp_path, sample_corpus, workers=2, SEARCH_MAX_RESTARTS="0")
    try:
        workers = wait_for(lambda: len(worker_pids(server)) == 2 and worker_pids(server))
        os.kill(min(workers), signal.SIGKILL)
        wait_for(lambda: len(worker_pids(server)) == 1)
        status, body = wait_for(lambda: (lambda h: h[0] == 503 and h)(health(server)))
        assert body["status"] == "degraded"
        assert body["workers"] == {"expected": 2, "alive": 1}
        assert body["problems"] == ["1 processus de service sur 2 arrêté(s)"]
        assert get(f"{server.url}/api/search?q=jardin")[0] == 200
        assert "plus de 0 relances par minute" in server.log()
    finally:
        if server.process.poll() is None:
            server.stop(signal.SIGKILL)


def overwrite_postings(root: Path, size: int = 64 * 1024) -> Path:
    """Overwrites `size` bytes in the middle of the served postings file, keeping its size."""
    postings = next(read_current(root).path.glob("*.pst"))
    length = postings.stat().st_size
    with open(postings, "r+b") as handle:
        handle.seek(max(0, length // 2 - size // 2))
        handle.write(b"\xa5" * min(size, length))
    return postings


def test_serve_on_overwritten_postings_exits_3_with_one_french_line(fresh_index, sample_corpus):
    postings = overwrite_postings(fresh_index)
    result = run_serve(fresh_index, sample_corpus, SEARCH_BUILD_IF_MISSING="0")
    assert result.returncode == 3
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1] == (
        f"Erreur : l'index « {postings.parent} » est illisible (fichier « {postings.name} » endommagé "
        "(somme de contrôle différente)) : reconstruisez-le avec `python -m indexer build`")


def test_overwritten_postings_at_start_fall_back_to_the_previous_generation(fresh_index, sample_corpus,
                                                                             sample_fiches):
    from indexer.build import build_index
    from search_app import create_app

    previous = read_current(fresh_index).name
    build_index(sample_fiches[:4], fresh_index)
    overwrite_postings(fresh_index)
    app = create_app({"INDEX_DIR": fresh_index, "CORPUS_DIR": sample_corpus, "BUILD_IF_MISSING": False,
                      "SEMANTIC": True})
    assert read_current(fresh_index).name == previous
    assert app.test_client().get("/healthz").get_json() == {"status": "ok", "generation": previous,
                                                            "documents": 14, "semantic": True}


def test_overwritten_postings_at_start_are_rebuilt_without_a_previous_generation(fresh_index, sample_corpus):
    from search_app import create_app

    damaged = read_current(fresh_index).name
    overwrite_postings(fresh_index)
    app = create_app({"INDEX_DIR": fresh_index, "CORPUS_DIR": sample_corpus, "BUILD_IF_MISSING": True})
    health_body = app.test_client().get("/healthz").get_json()
    assert health_body["status"] == "ok" and health_body["documents"] == 14
    assert health_body["generation"] != damaged


# -- facing clients directly: idle sockets, slow clients, huge bodies ------------------------------


def slowloris(port: int, stop: threading.Event, seconds: float = 8.0) -> int:
    """A client that sends one header byte every 100 ms (bounded: stops after `seconds`); returns bytes sent."""
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Lent: ")
        deadline = time.monotonic() + seconds
        while not stop.is_set() and time.monotonic() < deadline:
            try:
                sock.sendall(b"a")
            except OSError:
                break
            sent += 1
            stop.wait(0.1)
    return sent


def held_sockets(server: Server) -> int:
    """Sockets open in the serving processes (connections held, plus the listening one)."""
    count = 0
    for pid in worker_pids(server) or {server.process.pid}:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                count += os.readlink(fd).startswith("socket:")
            except OSError:
                pass
    return count


def test_idle_sockets_and_a_slow_client_do_not_deny_service(tmp_path, sample_corpus):
    server = start_server(tmp_path, sample_corpus, workers=2)
    idle: list[socket.socket] = []
    stop = threading.Event()
    slow = threading.Thread(target=slowloris, args=(server.port, stop), daemon=True)
    try:
        for _ in range(300):
            idle.append(socket.create_connection(("127.0.0.1", server.port), timeout=5))
        slow.start()
        wait_for(lambda: held_sockets(server) >= 300, timeout=10)
        answers = [get(f"{server.url}/api/search?q=jardin&page=1")[0] for _ in range(20)]
        assert answers == [200] * 20
        assert health(server)[0] == 200
    finally:
        stop.set()
        slow.join(10)
        for sock in idle:
            sock.close()
        server.stop()


def test_a_400_mb_body_is_refused_from_its_headers(server):
    declared = 400 * 1024 * 1024
    chunk = b"x" * 65536
    sent = 0
    with socket.create_connection(("127.0.0.1", server.port), timeout=20) as sock:
        sock.sendall(b"POST /api/similar HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                     b"Content-Length: " + str(declared).encode() + b"\r\n\r\n")
        sock.setblocking(False)
        response = b""
        deadline = time.monotonic() + 30
        while sent < declared and time.monotonic() < deadline:
            readable, writable, _ = select.select([sock], [sock], [], 1)
            if readable:
                break
            if writable:
                try:
                    sent += sock.send(chunk)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    break
        sock.setblocking(True)
        sock.settimeout(10)
        try:
            while data := sock.recv(65536):
                response += data
        except (ConnectionResetError, TimeoutError):
            pass
    head, _, body = response.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413 "), response[:200]
    assert json.loads(body)["error"]["code"] == "payload_too_large"
    assert sent < 64 * 1024 * 1024, f"{sent} bytes accepted before the refusal"
