"""``poise worker``: consume event batches from JetStream, screen and decide, acknowledge after commit.

Workers share one durable pull consumer, so any number of them split the stream. A message is
acknowledged only after its batch's transaction committed; if the worker dies first, JetStream delivers
the message again after ``ack_wait``. Redelivery is harmless: ingest skips event ids it has already taken
in, and every decision carries an idempotency key (event, rule, outcome), so each event ends with exactly
one set of decisions and actions. If the database is unavailable the message is negatively acknowledged
with a delay and retried: nothing accepted into the stream is lost.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import time
from dataclasses import dataclass, field
from typing import Any

import nats
from nats.js.api import AckPolicy, ConsumerConfig
from sqlalchemy.exc import DBAPIError, OperationalError

from poise.ingest.service import Screener, ingest_events
from poise.observability.metrics import WORKER_EVENTS, WORKER_RETRIES
from poise.store.db import Database
from poise.stream.bus import ensure_stream, subject_for

log = logging.getLogger("poise.worker")
DURABLE = "poise-workers"


@dataclass
class WorkerStats:
    """What a worker has done (also exported as metrics)."""

    messages: int = 0
    events: int = 0
    decisions: int = 0
    retries: int = 0
    started: float = field(default_factory=time.monotonic)


def process_message(db: Database, screener: Screener | None, payload: bytes) -> tuple[int, int]:
    """Ingest one message's events in one transaction; returns (events, decisions)."""
    events: list[dict[str, Any]] = json.loads(payload)
    with db.session() as session:
        result = ingest_events(session, events, screener)
    return len(events), sum(len(item.decisions) for item in result.items)


async def run_worker(db: Database, screener: Screener | None, *, nats_url: str, stream: str,
                     batch: int = 8, ack_wait: float = 30.0, stop: asyncio.Event | None = None,
                     idle_exit: float | None = None, stats: WorkerStats | None = None) -> WorkerStats:
    """Consume until ``stop`` is set (or, with ``idle_exit``, until the stream stays empty that long)."""
    stats = stats or WorkerStats()
    stop = stop or asyncio.Event()
    nc = await nats.connect(nats_url, max_reconnect_attempts=-1, reconnect_time_wait=0.5)
    js = nc.jetstream()
    await ensure_stream(js, stream)
    config = ConsumerConfig(durable_name=DURABLE, ack_policy=AckPolicy.EXPLICIT, ack_wait=ack_wait,
                            max_deliver=-1, max_ack_pending=1000)
    subscription = await js.pull_subscribe(subject_for(stream), durable=DURABLE, stream=stream, config=config)
    idle_since = time.monotonic()
    try:
        while not stop.is_set():
            try:
                messages = await subscription.fetch(batch, timeout=1)
            except (nats.errors.TimeoutError, TimeoutError):
                if idle_exit is not None and time.monotonic() - idle_since > idle_exit:
                    break
                continue
            idle_since = time.monotonic()
            for message in messages:
                try:
                    events, decisions = await asyncio.to_thread(process_message, db, screener, message.data)
                except (OperationalError, DBAPIError) as exc:
                    stats.retries += 1
                    WORKER_RETRIES.inc()
                    log.warning("database unavailable, message will be redelivered: %s", exc.__class__.__name__)
                    await message.nak(delay=2)
                    await asyncio.sleep(1)
                    continue
                except (json.JSONDecodeError, TypeError) as exc:  # not a batch of events: never retry it
                    log.error("dropping a malformed message: %s", exc)
                    await message.term()
                    continue
                await message.ack_sync()
                stats.messages += 1
                stats.events += events
                WORKER_EVENTS.inc(events)
                stats.decisions += decisions
    finally:
        await subscription.unsubscribe()  # every processed message is already acknowledged
        await nc.close()
    return stats


def main_loop(db: Database, screener: Screener | None, *, nats_url: str, stream: str, batch: int,
              idle_exit: float | None = None) -> WorkerStats:
    """Run a worker in this process until SIGINT/SIGTERM."""

    async def runner() -> WorkerStats:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        return await run_worker(db, screener, nats_url=nats_url, stream=stream, batch=batch, stop=stop,
                                idle_exit=idle_exit)

    return asyncio.run(runner())
