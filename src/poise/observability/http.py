"""Per-request metrics and one structured log line per request; ``GET /metrics`` for Prometheus."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from poise.api.deps import public
from poise.auth.principal import Principal
from poise.observability.limits import caller_of
from poise.observability.metrics import HTTP_LATENCY, HTTP_REQUESTS, STREAM_ACK_PENDING, STREAM_PENDING

log = logging.getLogger("poise.http")
router = APIRouter(tags=["system"])


class JsonFormatter(logging.Formatter):
    """Log records as one JSON object per line (``POISE_LOG_JSON=true``)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"), "level": record.levelname,
                                 "logger": record.name, "message": record.getMessage()}
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(json_logs: bool) -> None:
    """Root logging: JSON lines or plain text, at INFO."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if json_logs else logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)


class RequestMetricsMiddleware:
    """Counts and times every request by its route template, and logs it (method, route, status, ms, caller)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def watching_send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watching_send)
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            elapsed = time.perf_counter() - started
            HTTP_REQUESTS.labels(scope["method"], route, str(status)).inc()
            HTTP_LATENCY.labels(scope["method"], route).observe(elapsed)
            log.info("%s %s %s", scope["method"], route, status, extra={"fields": {
                "method": scope["method"], "route": route, "path": scope["path"], "status": status,
                "ms": round(elapsed * 1000, 1), "caller": caller_of(scope)}})


@router.get("/metrics", summary="Prometheus metrics (aggregate counts only, no user data)",
            response_class=Response)
def metrics(request: Request, principal: Principal = public()) -> Response:
    publisher = getattr(request.app.state, "publisher", None)
    if publisher is not None:
        lag = publisher.consumer_lag()
        if lag is not None:
            STREAM_PENDING.set(lag[0])
            STREAM_ACK_PENDING.set(lag[1])
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
