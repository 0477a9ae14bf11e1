"""Request protection: a body-size cap (413) and a per-key token-bucket rate limit (429).

Both run as ASGI middleware before any endpoint code. The rate limit is per API key (by its public
prefix, without a database lookup) or per client address for anonymous calls, and per process: behind N
replicas the effective limit is N times the setting (see docs/operations.md).
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from poise.observability.metrics import RATE_LIMITED

Scope = dict[str, Any]


def _error(status: int, code: str, message: str, headers: list[tuple[bytes, bytes]] | None = None) -> tuple[
        dict[str, Any], dict[str, Any]]:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    start = {"type": "http.response.start", "status": status,
             "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                         *(headers or [])]}
    return start, {"type": "http.response.body", "body": body}


class TokenBuckets:
    """One token bucket per caller: ``per_minute`` requests a minute, bursts up to that many."""

    def __init__(self, per_minute: int) -> None:
        self.rate = per_minute / 60.0
        self.capacity = float(per_minute)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, caller: str, now: float | None = None) -> float:
        """0 if the call may go ahead, else the seconds to wait."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.get(caller, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens >= 1:
                self._buckets[caller] = (tokens - 1, now)
                return 0.0
            self._buckets[caller] = (tokens, now)
            return (1 - tokens) / self.rate


def caller_of(scope: Scope) -> str:
    """The API key's public prefix (``poise_<12 hex>``) if one is presented, else the client address."""
    for name, value in scope.get("headers", []):
        if name in (b"x-api-key", b"authorization"):
            key = value.decode("latin-1").removeprefix("Bearer ").strip()
            parts = key.split("_")
            if len(parts) >= 3 and parts[0] == "poise":
                return f"key:{parts[1]}"
    client = scope.get("client") or ("unknown", 0)
    return f"ip:{client[0]}"


class LimitsMiddleware:
    """Refuse bodies over ``max_body_bytes`` (413) and callers over their rate (429 + Retry-After)."""

    def __init__(self, app: Any, *, max_body_bytes: int, per_minute: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.buckets = TokenBuckets(per_minute)

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if not scope["path"].startswith("/static/"):
            wait = self.buckets.take(caller_of(scope))
            if wait > 0:
                RATE_LIMITED.inc()
                for message in _error(429, "rate_limited", "too many requests for this key; slow down",
                                      [(b"retry-after", str(max(1, round(wait))).encode())]):
                    await send(message)
                return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            await self._too_large(send)
            return
        if declared is not None:
            await self.app(scope, receive, send)
            return
        # no declared length (chunked): read up to the cap here, then hand the body on
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, receive, send)
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.max_body_bytes:
                await self._too_large(send)
                return
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Any:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, send: Any) -> None:
        for message in _error(413, "payload_too_large", f"request body larger than {self.max_body_bytes} bytes"):
            await send(message)
