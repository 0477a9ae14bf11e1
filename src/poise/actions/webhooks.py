"""Pushing actions to the platform by webhook: signed, retried, at least once, one endpoint never blocks another.

Each endpoint keeps a cursor into the action feed (the commit-ordered ``seq``). A delivery POSTs the next
batch of actions after the cursor as JSON; a 2xx answer moves the cursor past them, anything else (error,
timeout, refused connection) leaves it and schedules a retry with exponential backoff. So every action
reaches every endpoint at least once, in order, and the platform de-duplicates by action ``id``.

Requests are signed like Stripe's: ``X-Poise-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of
"<t>.<body>" with the endpoint's secret>``; :func:`verify_signature` is what a receiver runs (with a
tolerance against replays). Endpoints are delivered to concurrently, each with its own timeout, so a
failing or hanging endpoint delays nobody else.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import Boolean, Integer, String, Text, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from poise.api.schemas import ActionOut
from poise.audit import record
from poise.core.clock import utcnow
from poise.observability.metrics import WEBHOOK_ACTIONS_DELIVERED, WEBHOOK_DELIVERIES
from poise.store.base import Base, UTCDateTime, created_column, id_column
from poise.store.db import Database
from poise.store.models import Action

MAX_BACKOFF_SECONDS = 300
SIGNATURE_HEADER = "X-Poise-Signature"


class WebhookEndpoint(Base):
    """A platform URL that receives actions, with its signing secret and delivery cursor."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[str] = id_column()
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    url: Mapped[str] = mapped_column(String(2000), nullable=False)
    secret: Mapped[str] = mapped_column(String(100), nullable=False)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    cursor_seq: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    delivered_total: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    failed_total: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_column()


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The signature header value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify_signature(secret: str, body: bytes, header: str, *, tolerance_seconds: int = 300,
                     now: float | None = None) -> bool:
    """Whether ``header`` is a valid, fresh signature of ``body`` (what a receiving platform checks)."""
    try:
        parts = dict(p.split("=", 1) for p in header.split(","))
        timestamp = int(parts["t"])
    except (ValueError, KeyError):
        return False
    if abs((now or time.time()) - timestamp) > tolerance_seconds:
        return False
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def add_endpoint(session: Session, *, name: str, url: str, actor: str, actor_role: str,
                 from_start: bool = False) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; returns it and its secret (shown once). New endpoints start at the feed's end."""
    secret = "whsec_" + secrets.token_urlsafe(24)
    start = 0 if from_start else (session.execute(select(Action.seq).order_by(Action.seq.desc()).limit(1))
                                  .scalar_one_or_none() or 0)
    endpoint = WebhookEndpoint(name=name, url=url, secret=secret, cursor_seq=start)
    session.add(endpoint)
    session.flush()
    record(session, actor, actor_role, "webhook.added", "webhook", endpoint.id, name=name, url=url,
           cursor_seq=start)
    return endpoint, secret


@dataclass(frozen=True)
class _Attempt:
    endpoint_id: str
    url: str
    secret: str
    last_seq: int
    body: bytes
    count: int


@dataclass(frozen=True)
class DeliveryOutcome:
    """What one delivery attempt did."""

    endpoint_id: str
    delivered: int
    error: str | None


def _post(attempt: _Attempt, timeout: float) -> DeliveryOutcome:
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(attempt.secret, attempt.body,
                                                                          int(time.time()))}
    try:
        response = httpx.post(attempt.url, content=attempt.body, headers=headers, timeout=timeout)
    except httpx.HTTPError as exc:
        return DeliveryOutcome(attempt.endpoint_id, 0, f"{type(exc).__name__}: {exc}"[:500])
    if 200 <= response.status_code < 300:
        return DeliveryOutcome(attempt.endpoint_id, attempt.count, None)
    return DeliveryOutcome(attempt.endpoint_id, 0, f"HTTP {response.status_code}")


def deliver_once(db: Database, *, batch_size: int = 200, timeout: float = 5.0) -> list[DeliveryOutcome]:
    """One delivery round: every due endpoint gets its next batch, concurrently. Returns what happened."""
    now = utcnow()
    attempts: list[_Attempt] = []
    with db.read_session() as session:
        endpoints = session.execute(select(WebhookEndpoint).where(
            WebhookEndpoint.enabled.is_(True),
            or_(WebhookEndpoint.next_attempt_at.is_(None), WebhookEndpoint.next_attempt_at <= now))).scalars().all()
        for ep in endpoints:
            actions = session.execute(select(Action).where(Action.seq > ep.cursor_seq).order_by(Action.seq)
                                      .limit(batch_size)).scalars().all()
            if not actions:
                continue
            payload = {"endpoint": ep.id, "actions": [ActionOut.model_validate(a).model_dump(mode="json")
                                                       for a in actions]}
            attempts.append(_Attempt(ep.id, ep.url, ep.secret, actions[-1].seq or ep.cursor_seq,
                                     json.dumps(payload, separators=(",", ":")).encode(), len(actions)))
    if not attempts:
        return []
    with ThreadPoolExecutor(max_workers=min(16, len(attempts))) as pool:
        outcomes = list(pool.map(lambda a: _post(a, timeout), attempts))
    with db.session() as session:
        for attempt, outcome in zip(attempts, outcomes, strict=True):
            found = session.get(WebhookEndpoint, attempt.endpoint_id)
            if found is None:
                continue
            ep = found
            WEBHOOK_DELIVERIES.labels("ok" if outcome.error is None else "failed").inc()
            if outcome.error is None:
                WEBHOOK_ACTIONS_DELIVERED.inc(outcome.delivered)
                ep.cursor_seq = max(ep.cursor_seq, attempt.last_seq)
                ep.consecutive_failures = 0
                ep.delivered_total += outcome.delivered
                ep.next_attempt_at = None
                ep.last_error = None
            else:
                ep.consecutive_failures += 1
                ep.failed_total += 1
                ep.last_error = outcome.error
                backoff = min(MAX_BACKOFF_SECONDS, 2 ** min(ep.consecutive_failures, 16))
                ep.next_attempt_at = utcnow() + timedelta(seconds=backoff)
    return outcomes


def run_dispatcher(db: Database, *, interval: float = 1.0, stop: threading.Event | None = None,
                   timeout: float = 5.0) -> None:
    """Deliver until ``stop`` is set, waiting ``interval`` whenever a round sent nothing."""
    stop = stop or threading.Event()
    while not stop.is_set():
        outcomes = deliver_once(db, timeout=timeout)
        if not any(o.delivered for o in outcomes):
            stop.wait(interval)
