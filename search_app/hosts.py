"""Which scheme and host every absolute URL names: the public URL, trusted proxies and allowed hosts.

Absolute URLs (API `url` fields, OpenAPI `servers`, OpenSearch, the /integrer
snippet) are built by Flask from the request's scheme and host. This module
makes those trustworthy before Flask sees the request:

- with `PUBLIC_URL`, every request is seen as addressed to it (scheme, host,
  path prefix), whatever the Host header says;
- without it, a Host outside `ALLOWED_HOSTS` is replaced by a harmless one and
  the request is answered 400 (`reject_untrusted_host`), so that a forged or
  malformed Host (a DNS label over 63 characters) never reaches URL building;
- with `TRUSTED_PROXIES=N`, Werkzeug's ProxyFix first applies the
  `X-Forwarded-For/Proto/Host` headers set by the N proxies in front.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from werkzeug.middleware.proxy_fix import ProxyFix

from .errors import ServiceError

REJECTED_HOST = "search_app.rejected_host"
FALLBACK_HOST = "localhost"
MAX_SHOWN_HOST = 80
_HOST = re.compile(r"(?P<name>[a-z0-9_.-]+|\[[0-9a-f:.]+\])(?::(?P<port>[0-9]{1,5}))?")
_LABEL = re.compile(r"(?!-)[a-z0-9_-]{1,63}(?<!-)")


class UntrustedHost(ServiceError):
    status = 400
    code = "untrusted_host"


def parse_public_url(value: str) -> tuple[str, str, str]:
    """(scheme, host[:port], path prefix) of a public base URL; ValueError in French if it is not one."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ValueError(f"SEARCH_PUBLIC_URL doit être une adresse http(s)://hôte[:port][/chemin] (reçu « {value[:80]} »)")
    try:
        parts.port
        parts.hostname.encode("idna")
    except (ValueError, UnicodeError):
        raise ValueError(f"SEARCH_PUBLIC_URL : hôte ou port invalide (reçu « {value[:80]} »)") from None
    return parts.scheme, parts.netloc, parts.path.rstrip("/")


class TrustedHosts:
    """WSGI middleware: the request's scheme and host set from the public URL, or checked against a list."""

    def __init__(self, app: Callable, public_url: str, allowed_hosts: Iterable[str]) -> None:
        self.app = app
        self.public = parse_public_url(public_url) if public_url else None
        self.allowed = tuple(host.strip().lower() for host in allowed_hosts if host.strip())

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        if self.public is not None:
            scheme, netloc, prefix = self.public
            environ["wsgi.url_scheme"] = scheme
            environ["HTTP_HOST"] = netloc
            environ["SCRIPT_NAME"] = prefix
        else:
            host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME") or ""
            if not self.host_allowed(host):
                environ[REJECTED_HOST] = host
                environ["HTTP_HOST"] = FALLBACK_HOST
        return self.app(environ, start_response)

    def host_allowed(self, host: str) -> bool:
        name = host_name(host)
        return name is not None and any(
            name == allowed or (allowed.startswith(".") and name.endswith(allowed)) for allowed in self.allowed)


def host_name(host: str) -> str | None:
    """The lower-cased name of a `Host` value (`[::1]`, `Exemple.org`), port dropped; None if malformed."""
    match = _HOST.fullmatch(host.strip().lower())
    if match is None or (match["port"] and not 0 < int(match["port"]) < 65536):
        return None
    name = match["name"].rstrip(".") if not match["name"].startswith("[") else match["name"]
    if not name.startswith("[") and (len(name) > 253 or not all(map(_LABEL.fullmatch, name.split(".")))):
        return None
    return name


def wrap(app: Callable, public_url: str, allowed_hosts: Iterable[str], trusted_proxies: int) -> Callable:
    """The WSGI application with forwarded headers applied (if trusted), then the host made trustworthy."""
    wrapped: Callable = TrustedHosts(app, public_url, allowed_hosts)
    if trusted_proxies > 0:
        wrapped = ProxyFix(wrapped, x_for=trusted_proxies, x_proto=trusted_proxies, x_host=trusted_proxies)
    return wrapped


def reject_untrusted_host(environ: dict[str, Any]) -> None:
    """Raises the French 400 for a request whose Host was not allowed (see TrustedHosts)."""
    host = environ.get(REJECTED_HOST)
    if host is not None:
        shown = host[:MAX_SHOWN_HOST] + ("…" if len(host) > MAX_SHOWN_HOST else "")
        raise UntrustedHost(f"hôte « {shown} » non autorisé : le service ne répond qu'aux noms configurés "
                            f"(SEARCH_ALLOWED_HOSTS) ou à son adresse publique (SEARCH_PUBLIC_URL)")
