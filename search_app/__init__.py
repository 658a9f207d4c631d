"""The search service: `create_app(config)` builds the Flask application."""

from __future__ import annotations

import json
import logging
import time
from datetime import datetime, timezone
from typing import Any

from flask import Flask, g, jsonify, render_template, request
from markupsafe import escape
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from indexer.errors import FicheNotFound, IndexerError

from .bootstrap import ensure_index
from .config import Settings
from .engine import SearchEngine
from .addresses import retired_answer
from .errors import IndexUnavailable, NotFound, PayloadTooLarge, ServiceError
from .health import SharedHealth, health_report
from .versioning import VersionedJSONProvider, register_revalidation
from .hosts import reject_untrusted_host, wrap

access_log = logging.getLogger("search_app.access")

FRAMEABLE_PATHS = ("/embed",)
# Read-only endpoints other sites may call with POST (a JSON body, hence a preflight).
CORS_POST_PATHS = ("/api/similar",)
CORS_MAX_AGE = 600
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors {ancestors}")


def create_app(config: dict[str, Any] | None = None) -> Flask:
    settings = Settings.load(config)
    app = _VersionedFlask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.MAX_BODY_BYTES
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    ensure_index(settings)
    app.extensions["search_settings"] = settings
    app.extensions["search_health"] = health = SharedHealth()
    app.extensions["search_engine"] = SearchEngine(settings.INDEX_DIR, settings.CACHE_SIZE, settings.FACET_LIMIT or None,
                                                   health=health, semantic=settings.SEMANTIC)

    from . import api, views
    app.register_blueprint(api.bp)
    app.register_blueprint(views.bp)
    _register_embed(app)
    _register_observatory(app)
    _register_errors(app)
    _register_headers(app, settings)
    register_revalidation(app, settings.HTTP_MAX_AGE)
    app.wsgi_app = wrap(app.wsgi_app, settings.PUBLIC_URL, settings.ALLOWED_HOSTS,  # type: ignore[method-assign]
                        settings.TRUSTED_PROXIES)
    return app


class _VersionedFlask(Flask):
    json_provider_class = VersionedJSONProvider


def _register_embed(app: Flask) -> None:
    from . import embed

    app.register_blueprint(embed.bp)


def _register_observatory(app: Flask) -> None:
    from . import observatory

    app.register_blueprint(observatory.bp)


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def _error_response(error: ServiceError):
    if _wants_json():
        return jsonify(error.to_dict()), error.status
    try:
        return render_template("error.html", error=error), error.status
    except Exception:
        logging.getLogger(__name__).exception("page d'erreur impossible à afficher")
        return (f'<!doctype html><html lang="fr"><meta charset="utf-8"><title>Erreur {error.status}</title>'
                f"<p>{escape(error.message)}</p></html>"), error.status


def _register_errors(app: Flask) -> None:
    @app.errorhandler(ServiceError)
    def service_error(error: ServiceError):
        return _error_response(error)

    @app.errorhandler(FicheNotFound)
    def fiche_not_found(error: FicheNotFound):
        moved = retired_answer(app.extensions["search_engine"])
        if moved is not None:
            return moved
        return _error_response(NotFound(str(error), code="action_not_found"))

    @app.errorhandler(IndexerError)
    def index_error(error: IndexerError):
        app.logger.error("index indisponible : %s", error)
        return _error_response(IndexUnavailable("l'index de recherche est momentanément indisponible"))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        messages = {
            404: ("not_found", "page introuvable"),
            405: ("method_not_allowed", "méthode HTTP non autorisée ici"),
            413: ("payload_too_large", "corps de requête trop volumineux"),
            500: ("internal_error", "erreur interne : la requête n'a pas pu aboutir"),
        }
        code, message = messages.get(error.code or 400, ("bad_request", "requête invalide"))
        wrapped = PayloadTooLarge(message) if error.code == 413 else ServiceError(message, code)
        wrapped.status = error.code or 400
        response = app.make_response(_error_response(wrapped))
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        app.logger.exception("erreur inattendue sur %s", request.path)
        wrapped = ServiceError("erreur interne : la requête n'a pas pu aboutir", "internal_error")
        wrapped.status = 500
        return _error_response(wrapped)


def _register_headers(app: Flask, settings: Settings) -> None:
    origins = settings.CORS_ORIGINS

    @app.before_request
    def start_timer_and_refuse_large_bodies() -> None:
        g.started = time.perf_counter()
        if request.path != "/healthz":
            reject_untrusted_host(request.environ)
        length = request.content_length
        if length is not None and length > settings.MAX_BODY_BYTES:
            raise PayloadTooLarge(f"corps de requête trop volumineux ({length} octets, "
                                  f"maximum {settings.MAX_BODY_BYTES} octets)")

    @app.after_request
    def headers(response):
        _security_headers(response, frameable=request.path in FRAMEABLE_PATHS)
        if request.path.startswith("/api/") and (request.method in ("GET", "HEAD", "OPTIONS")
                                                 or request.path in CORS_POST_PATHS):
            _cors_headers(response, origins)
        if access_log.isEnabledFor(logging.INFO):
            access_log.info(json.dumps(_access_record(response)))
        return response

    @app.get("/healthz")
    def healthz():
        body, status = health_report(app.extensions["search_health"], app.extensions["search_engine"].stats)
        return jsonify(body), status


def _security_headers(response, frameable: bool) -> None:
    response.headers.setdefault("Content-Security-Policy", CSP.format(ancestors="*" if frameable else "'self'"))
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    if not frameable:
        response.headers["X-Frame-Options"] = "SAMEORIGIN"


def _cors_headers(response, origins: tuple[str, ...]) -> None:
    """CORS without credentials: any origin, or the allow-list (the answer then varies by Origin)."""
    origin = request.headers.get("Origin")
    if "*" in origins:
        response.headers["Access-Control-Allow-Origin"] = "*"
    else:
        response.vary.add("Origin")
        if origin and origin in origins:
            response.headers["Access-Control-Allow-Origin"] = origin
    posting = request.path in CORS_POST_PATHS
    response.headers["Access-Control-Allow-Methods"] = "GET, POST" if posting else "GET"
    if request.method == "OPTIONS":
        if posting:
            response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        response.headers["Access-Control-Max-Age"] = str(CORS_MAX_AGE)


def _access_record(response) -> dict[str, Any]:
    """One access-log line: who asked what, the answer's status and how long it took (no query text)."""
    started = g.get("started")
    duration = (time.perf_counter() - started) * 1000 if started is not None else None
    query = request.args.get("q") or request.args.get("text") or ""
    return {
        "time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
        "remote": request.remote_addr,
        "method": request.method,
        "path": request.path,
        "status": response.status_code,
        "duration_ms": round(duration, 2) if duration is not None else None,
        "query_length": len(query),
        "bytes": response.content_length,
    }
