"""Domain errors that carry a machine-readable code and an HTTP status."""

from __future__ import annotations

from typing import Any


class PoiseError(Exception):
    """An error a client can act on: ``code`` is stable, ``message`` is for people."""

    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, details: Any = None,
                 status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if status_code:
            self.status_code = status_code
        self.details = details


class NotFound(PoiseError):
    status_code = 404
    code = "not_found"


class Conflict(PoiseError):
    status_code = 409
    code = "conflict"


class Forbidden(PoiseError):
    status_code = 403
    code = "forbidden"


class Unprocessable(PoiseError):
    status_code = 422
    code = "unprocessable"


class ServiceUnavailable(PoiseError):
    status_code = 503
    code = "service_unavailable"
