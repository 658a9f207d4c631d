"""Errors the service answers with: a status, a stable code and a French message."""

from __future__ import annotations


class ServiceError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, code: str | None = None) -> None:
        message = message.encode("utf-8", errors="replace").decode("utf-8")
        super().__init__(message)
        self.message = message
        if code:
            self.code = code

    def to_dict(self) -> dict:
        return {"error": {"code": self.code, "message": self.message}}


class InvalidParameter(ServiceError):
    status = 400
    code = "invalid_parameter"


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class PayloadTooLarge(ServiceError):
    status = 413
    code = "payload_too_large"


class IndexUnavailable(ServiceError):
    status = 503
    code = "index_unavailable"


class Gone(ServiceError):
    """A fiche that was in the index and left it, with no single replacement."""

    status = 410
    code = "action_removed"

    def __init__(self, message: str, title: str = "") -> None:
        super().__init__(message)
        self.title = title
