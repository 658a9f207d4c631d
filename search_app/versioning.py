"""The data version of every answer: which index generation answered, when it was built, and HTTP revalidation.

Every JSON answer carries `"index": {"generation", "built_at"}` (added by the
app's JSON provider, so new endpoints get it too); errors keep their one
`error` key, `/healthz` its own `generation`. Read
endpoints carry an `ETag` derived from the served generation and the request,
and `Cache-Control`; a request whose `If-None-Match` holds the current tag is
answered 304 before any search runs, so a federation's site or a cache can
revalidate for the price of reading the CURRENT file.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from functools import lru_cache

from flask import Flask, Response, current_app, has_request_context, request
from flask.json.provider import DefaultJSONProvider

from indexer.build import Generation, read_current
from indexer.errors import IndexerError

ETAG_VERSION = "1"
"""Part of every tag: bump it when the same generation would be answered differently (a new release)."""
_REVALIDATED_PREFIXES = ("/api/",)
_REVALIDATED_PATHS = ("/api", "/statistiques")
_UNVERSIONED_PATHS = frozenset({"/healthz"})
"""Already carries `generation` (and is a probe's exact contract)."""


@lru_cache(maxsize=64)
def built_at(generation: Generation) -> str:
    """When the generation was built: from its name (nanoseconds since the epoch), else its folder's date."""
    head = generation.name.split("-", 1)[0]
    try:
        seconds = int(head) / 1e9 if head.isdigit() and len(head) >= 18 else generation.path.stat().st_mtime
    except OSError:
        return ""
    return datetime.fromtimestamp(seconds, timezone.utc).isoformat(timespec="seconds")


def index_version(app: Flask) -> dict | None:
    """`{"generation", "built_at"}` of the served generation; None when no index can be read."""
    try:
        generation = app.extensions["search_engine"].snapshot().generation
    except (IndexerError, OSError, KeyError):
        return None
    return {"generation": generation.name, "built_at": built_at(generation)}


class VersionedJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider, adding the data version to every JSON object answered during a request."""

    def response(self, *args, **kwargs) -> Response:
        if has_request_context() and request.path not in _UNVERSIONED_PATHS and len(args) == 1 and not kwargs \
                and isinstance(args[0], dict) and "index" not in args[0] and "error" not in args[0]:
            version = index_version(current_app)
            if version is not None:
                args = ({**args[0], "index": version},)
        return super().response(*args, **kwargs)


def is_revalidated(path: str, method: str) -> bool:
    return method in ("GET", "HEAD") and (path.startswith(_REVALIDATED_PREFIXES) or path in _REVALIDATED_PATHS)


def entity_tag(generation: str) -> str:
    """Tag of this request's answer under `generation`: the generation, the full URL and the CORS origin."""
    key = "\0".join((ETAG_VERSION, generation, request.full_path, request.headers.get("Origin", "")))
    return f"{generation}-{hashlib.sha1(key.encode('utf-8', 'surrogatepass')).hexdigest()[:16]}"


def register_revalidation(app: Flask, max_age: int) -> None:
    """ETag, Cache-Control and 304 answers on read endpoints."""
    index_root = app.extensions["search_engine"].index_root
    cache_control = f"public, max-age={max_age}"

    @app.before_request
    def answer_not_modified():
        if not is_revalidated(request.path, request.method) or not request.if_none_match:
            return None
        try:
            tag = entity_tag(read_current(index_root).name)
        except IndexerError:
            return None
        if request.if_none_match.contains(tag):
            response = Response(status=304)
            response.set_etag(tag)
            response.headers["Cache-Control"] = cache_control
            return response
        return None

    @app.after_request
    def tag_answer(response: Response) -> Response:
        if response.status_code == 200 and is_revalidated(request.path, request.method):
            try:
                response.set_etag(entity_tag(read_current(index_root).name))
            except IndexerError:
                return response
            response.headers["Cache-Control"] = cache_control
        return response
