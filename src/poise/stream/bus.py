"""The JetStream side of ingest: the stream, publishing batches durably, and a thread-safe publisher.

Accepted events are published in messages of at most :data:`EVENTS_PER_MESSAGE` events, each with a
``Nats-Msg-Id`` derived from its event ids, so a publish retried after a lost acknowledgement is stored
once (JetStream's duplicate window). ``publish`` returns only when JetStream has stored every message:
once the API answers 202, the events survive any crash of the API or the workers.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
from collections.abc import Sequence
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

import nats
from nats.js.api import RetentionPolicy, StorageType, StreamConfig

from poise.core.errors import ServiceUnavailable

EVENTS_PER_MESSAGE = 500
SUBJECT_SUFFIX = "events"


def subject_for(stream: str) -> str:
    """The subject a stream's event batches are published on."""
    return f"{stream.lower()}.{SUBJECT_SUFFIX}"


def message_id(events: Sequence[dict[str, Any]]) -> str:
    """A stable id for a batch of events (the same events give the same id)."""
    digest = hashlib.sha256("\x1f".join(str(e.get("event_id")) for e in events).encode()).hexdigest()
    return f"batch-{digest[:40]}"


async def ensure_stream(js: Any, stream: str) -> None:
    """Create the work-queue stream if it does not exist (file storage: survives a NATS restart)."""
    try:
        await js.stream_info(stream)
    except nats.js.errors.NotFoundError:
        await js.add_stream(StreamConfig(name=stream, subjects=[subject_for(stream)],
                                         retention=RetentionPolicy.WORK_QUEUE, storage=StorageType.FILE,
                                         duplicate_window=120.0))


async def publish_events(js: Any, stream: str, events: Sequence[dict[str, Any]]) -> int:
    """Publish events in batches; returns the number of messages JetStream stored (or de-duplicated)."""
    messages = [events[i:i + EVENTS_PER_MESSAGE] for i in range(0, len(events), EVENTS_PER_MESSAGE)]
    acks = await asyncio.gather(*(
        js.publish(subject_for(stream), json.dumps(list(chunk), separators=(",", ":")).encode(),
                   stream=stream, headers={"Nats-Msg-Id": message_id(chunk)}) for chunk in messages))
    return len(acks)


class Publisher:
    """Owns a NATS connection on its own event loop thread, for synchronous callers (the HTTP API)."""

    def __init__(self, url: str, stream: str, *, timeout: float = 5.0) -> None:
        self.url, self.stream, self.timeout = url, stream, timeout
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="poise-nats", daemon=True)
        self._thread.start()
        self._nc: Any = None
        self._js: Any = None
        self._ready = False

    def _run(self, coro: Any) -> Any:
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            return future.result(self.timeout)
        except (FutureTimeout, TimeoutError, OSError, nats.errors.Error) as exc:
            future.cancel()
            raise ServiceUnavailable(f"the event stream is unavailable ({type(exc).__name__}); retry shortly",
                                     code="stream_unavailable") from exc

    async def _connect(self) -> None:
        if self._nc is None or self._nc.is_closed:
            self._nc = await nats.connect(self.url, connect_timeout=2, max_reconnect_attempts=-1,
                                          reconnect_time_wait=0.5, allow_reconnect=True)
            self._js = self._nc.jetstream(timeout=self.timeout)
        if not self._ready:
            await ensure_stream(self._js, self.stream)
            self._ready = True

    async def _publish(self, events: Sequence[dict[str, Any]]) -> int:
        await self._connect()
        if not self._nc.is_connected:
            raise nats.errors.ConnectionClosedError
        return await publish_events(self._js, self.stream, events)

    def publish(self, events: Sequence[dict[str, Any]]) -> int:
        """Publish and wait until stored; raises ServiceUnavailable (503) if NATS cannot take them."""
        return int(self._run(self._publish(events)))

    def consumer_lag(self) -> tuple[int, int] | None:
        """(messages waiting for a worker, messages delivered but not acknowledged), or None if unknown."""
        from poise.stream.worker import DURABLE

        async def info() -> tuple[int, int]:
            await self._connect()
            consumer = await self._js.consumer_info(self.stream, DURABLE)
            return int(consumer.num_pending or 0), int(consumer.num_ack_pending or 0)

        try:
            return tuple(self._run(info()))  # type: ignore[return-value]
        except Exception:  # no consumer yet, or NATS away: the gauge keeps its last value
            return None

    def close(self) -> None:
        """Close the connection (every publish already waited for its acknowledgement) and stop the loop."""
        if self._nc is not None and not self._nc.is_closed:
            asyncio.run_coroutine_threadsafe(self._nc.close(), self._loop).result(self.timeout)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
