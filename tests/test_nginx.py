"""The documented nginx configuration (deploy/nginx.conf) in front of the real server.

Needs Debian's nginx (`apt-get install -y nginx`); skipped when absent, except
when REQUIRE_NGINX=1 (set by .ci/run), where a missing nginx is a failure.
nginx runs unprivileged paths only: a generated main configuration in
tmp_path (`-p` prefix, pid, logs and temporary files there, daemon off).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from test_server import START_TIMEOUT, free_port, server_env

PROJECT_DIR = Path(__file__).resolve().parent.parent
SITE_CONF = PROJECT_DIR / "deploy" / "nginx.conf"
STATIC_DIR = PROJECT_DIR / "search_app" / "static"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
OPENSSL = shutil.which("openssl")
PUBLIC_HOST = "recherche.federation.example"
IDLE_CONNECTIONS = 300
NORMAL_REQUESTS = 10
SLOWLORIS_SECONDS = 3.0

MAIN_CONF = """
daemon off;
worker_processes 1;
{user}
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 2048; }}
http {{
    types {{ text/html html; text/css css; application/javascript js; image/svg+xml svg; }}
    default_type application/octet-stream;
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/site.conf;
}}
"""


def _missing_nginx() -> str | None:
    if not Path(NGINX).exists():
        return "nginx not found: apt-get install -y nginx"
    return None


@pytest.fixture(scope="module", autouse=True)
def require_nginx() -> None:
    reason = _missing_nginx()
    if reason:
        if os.environ.get("REQUIRE_NGINX") == "1":
            pytest.fail(f"REQUIRE_NGINX=1 but the nginx test cannot run: {reason}")
        pytest.skip(reason)


@dataclass
class Proxied:
    """The app server and nginx in front of it."""

    port: int
    tls_port: int | None
    app_port: int
    tmp: Path

    def log(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in (self.tmp / "error.log", self.tmp / "app.log")
                         if p.exists())


def site_config(app_port: int, port: int, tls: tuple[int, Path, Path] | None) -> str:
    """deploy/nginx.conf with its placeholders filled; its commented TLS lines enabled if `tls`."""
    text = SITE_CONF.read_text(encoding="utf-8")
    text = (text.replace("@@APP@@", f"127.0.0.1:{app_port}").replace("@@LISTEN@@", f"127.0.0.1:{port}")
            .replace("@@STATIC@@", f"{STATIC_DIR}/"))
    if tls:
        tls_port, cert, key = tls
        text = re.sub(r"# listen 443 ssl( http2)?;", f"listen 127.0.0.1:{tls_port} ssl;", text)
        text = re.sub(r"# ssl_certificate +\S+;", f"ssl_certificate {cert};", text)
        text = re.sub(r"# ssl_certificate_key +\S+;", f"ssl_certificate_key {key};", text)
        text = text.replace("# ssl_protocols", "ssl_protocols")
    assert not re.search(r"@@[A-Z]+@@", text)
    return text


def wait_for(url: str, process: subprocess.Popen, what: str, log) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{what} exited with {process.returncode}:\n{log()}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{what} not ready after {START_TIMEOUT} s:\n{log()}")


def self_signed(tmp: Path) -> tuple[Path, Path] | None:
    if OPENSSL is None:
        return None
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run([OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    f"/CN={PUBLIC_HOST}", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    return cert, key


@pytest.fixture(scope="module")
def proxied(tmp_path_factory, sample_index, sample_corpus) -> Iterator[Proxied]:
    tmp = tmp_path_factory.mktemp("nginx")
    app_port, port = free_port(), free_port()
    with open(tmp / "app.log", "wb") as log:
        app = subprocess.Popen(
            [sys.executable, "-m", "search_app.serve", "--host", "127.0.0.1", "--port", str(app_port),
             "--workers", "1", "--threads", "4"],
            cwd=PROJECT_DIR, stdout=log, stderr=subprocess.STDOUT,
            env=server_env(sample_index, sample_corpus, SEARCH_TRUSTED_PROXIES="1",
                           SEARCH_ALLOWED_HOSTS=f"{PUBLIC_HOST},localhost,127.0.0.1"))
    keys = self_signed(tmp)
    tls_port = free_port() if keys else None
    (tmp / "site.conf").write_text(site_config(app_port, port, (tls_port, *keys) if keys else None))
    user = "user root;" if os.geteuid() == 0 else ""
    (tmp / "nginx.conf").write_text(MAIN_CONF.format(tmp=tmp, user=user))
    nginx = subprocess.Popen([NGINX, "-p", str(tmp), "-c", str(tmp / "nginx.conf")],
                             stdout=subprocess.DEVNULL, stderr=open(tmp / "nginx.stderr", "wb"))
    proxied = Proxied(port, tls_port, app_port, tmp)
    try:
        wait_for(f"http://127.0.0.1:{app_port}/healthz", app, "server", proxied.log)
        wait_for(f"http://127.0.0.1:{port}/healthz", nginx, "nginx",
                 lambda: proxied.log() + (tmp / "nginx.stderr").read_text())
        yield proxied
    finally:
        for process in (nginx, app):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()


def request(port: int, path: str, host: str = PUBLIC_HOST, tls: bool = False,
            method: str = "GET", body: bytes | None = None, headers: dict | None = None):
    """(status, headers, body) of one request through nginx, on a fresh connection."""
    if tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=15, context=context)
    else:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        connection.request(method, path, body=body, headers={"Host": host, **(headers or {})})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def test_generated_urls_use_the_public_host_through_nginx(proxied):
    status, _, body = request(proxied.port, "/api/search?q=jardin")
    assert status == 200
    url = json.loads(body)["hits"][0]["url"]
    assert url.startswith(f"http://{PUBLIC_HOST}/actions/"), url
    status, _, body = request(proxied.port, "/integrer")
    assert f"http://{PUBLIC_HOST}/embed.js" in body.decode()


def test_forged_host_is_refused_through_nginx(proxied):
    status, _, body = request(proxied.port, "/api/search?q=jardin", host="attacker-host.test")
    assert status == 400
    assert json.loads(body)["error"]["code"] == "untrusted_host"


def test_https_scheme_reaches_the_generated_urls(proxied):
    if proxied.tls_port is None:
        pytest.skip("openssl is missing: no certificate for the TLS block")
    status, _, body = request(proxied.tls_port, "/api/search?q=jardin", tls=True)
    assert status == 200
    assert json.loads(body)["hits"][0]["url"].startswith(f"https://{PUBLIC_HOST}/actions/")
    _, _, body = request(proxied.tls_port, "/opensearch.xml", tls=True)
    assert f"https://{PUBLIC_HOST}/?q=" in body.decode()


def test_static_files_and_widget_script_are_served_by_nginx_with_long_caching(proxied):
    for path in ("/embed.js", "/embed.css", "/static/style.css"):
        status, headers, body = request(proxied.port, path)
        assert status == 200 and body, path
        assert "max-age=86400" in headers["cache-control"] or "max-age=604800" in headers["cache-control"], path
        assert headers["x-content-type-options"] == "nosniff"
    _, headers, body = request(proxied.port, "/embed.js")
    assert headers["content-type"].startswith("application/javascript")
    assert headers["access-control-allow-origin"] == "*"
    assert body == (STATIC_DIR / "embed.js").read_bytes()
    _, headers, _ = request(proxied.port, "/embed.css")
    assert headers["content-type"].startswith("text/css") and headers["access-control-allow-origin"] == "*"
    access = (proxied.tmp / "access.log").read_text()
    assert "/embed.js" in access


def test_body_over_the_limit_is_refused_by_nginx(proxied):
    status, _, _ = request(proxied.port, "/api/similar", method="POST", body=b"x" * (600 * 1024),
                           headers={"Content-Type": "application/json"})
    assert status == 413
    status, _, _ = request(proxied.port, "/api/similar", method="POST", body=json.dumps({"text": "jardin"}).encode(),
                           headers={"Content-Type": "application/json"})
    assert status == 200


def test_searches_are_rate_limited_per_client(proxied):
    statuses = [request(proxied.port, f"/api/search?q=jardin{i}")[0] for i in range(60)]
    assert 429 in statuses and statuses[0] == 200, statuses
    assert request(proxied.port, "/static/style.css")[0] == 200
    time.sleep(3)
    assert request(proxied.port, "/api/search?q=jardin")[0] == 200


def _slowloris(port: int, stop: threading.Event, sent: list[int]) -> None:
    """Sends a request header one byte every 100 ms until stopped or closed."""
    data = f"GET /api/search?q=jardin HTTP/1.1\r\nHost: {PUBLIC_HOST}\r\nX-Padding: ".encode() + b"a" * 10_000
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        for byte in data:
            if stop.is_set():
                return
            try:
                sock.sendall(bytes([byte]))
            except OSError:
                return
            sent.append(1)
            time.sleep(0.1)


def test_idle_connections_and_a_slowloris_do_not_stop_a_normal_client(proxied):
    time.sleep(2.5)  # let the rate limiter's bucket refill after the previous test
    idle = []
    try:
        for _ in range(IDLE_CONNECTIONS):
            idle.append(socket.create_connection(("127.0.0.1", proxied.port), timeout=5))
        stop, sent = threading.Event(), []
        slow = threading.Thread(target=_slowloris, args=(proxied.port, stop, sent), daemon=True)
        slow.start()
        time.sleep(0.5)
        answers = []
        deadline = time.monotonic() + SLOWLORIS_SECONDS
        while len(answers) < NORMAL_REQUESTS and time.monotonic() < deadline + 30:
            answers.append(request(proxied.port, "/api/search?q=jardin")[0])
            time.sleep(max(0.0, min(0.3, deadline - time.monotonic())))
        stop.set()
        slow.join(timeout=10)
        assert answers == [200] * NORMAL_REQUESTS, answers
        assert len(sent) > 10, "the slow client was not sending"
        status, _, body = request(proxied.app_port, "/healthz", host="localhost")
        assert status == 200
    finally:
        for sock in idle:
            sock.close()
