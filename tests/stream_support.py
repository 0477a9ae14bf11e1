"""Helpers for the JetStream tests: a private stream per test, publishing, counting, services."""

from __future__ import annotations

import asyncio
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import nats
import pytest
from sqlalchemy import func, select

from poise.ingest.models import IngestedEvent
from poise.store.db import Database
from poise.store.models import Decision
from poise.stream.bus import ensure_stream, publish_events

NATS_URL = "nats://127.0.0.1:4222"


def run_async(coro: Any) -> Any:
    """Run a coroutine to completion on a fresh loop in its own thread (the browser tests leave a loop
    running in the main thread, where ``asyncio.run`` refuses to start)."""
    result: dict[str, Any] = {}

    def target() -> None:
        try:
            result["value"] = asyncio.run(coro)
        except BaseException as exc:
            result["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result.get("value")


def new_stream_name() -> str:
    return f"POISE_TEST_{uuid.uuid4().hex[:10].upper()}"


async def _with_js(action: Any) -> Any:
    try:
        nc = await nats.connect(NATS_URL, connect_timeout=2, max_reconnect_attempts=1)
    except Exception as exc:
        pytest.fail(f"NATS with JetStream is required at {NATS_URL}: {exc}", pytrace=False)
    try:
        return await action(nc.jetstream())
    finally:
        await nc.close()


def publish(stream: str, events: list[dict[str, Any]]) -> int:
    async def go(js: Any) -> int:
        await ensure_stream(js, stream)
        total = 0
        for start in range(0, len(events), 20_000):
            total += await publish_events(js, stream, events[start:start + 20_000])
        return total
    return int(run_async(_with_js(go)))


def delete_stream(stream: str) -> None:
    async def go(js: Any) -> None:
        with suppress(nats.js.errors.NotFoundError):
            await js.delete_stream(stream)
    run_async(_with_js(go))


@contextmanager
def private_stream() -> Iterator[str]:
    name = new_stream_name()
    try:
        yield name
    finally:
        delete_stream(name)


def counts(db: Database) -> tuple[int, int, int]:
    """(ingested events, content decisions, distinct decided content items)."""
    with db.read_session() as s:
        ingested = s.execute(select(func.count()).select_from(IngestedEvent)).scalar_one()
        decisions = s.execute(select(func.count()).select_from(Decision)
                              .where(Decision.subject_type == "content")).scalar_one()
        distinct = s.execute(select(func.count(func.distinct(Decision.subject_id)))
                             .where(Decision.subject_type == "content")).scalar_one()
    return ingested, decisions, distinct


def wait_until(check: Any, timeout: float, interval: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")


def service(command: list[str]) -> None:
    subprocess.run(command, check=True, capture_output=True, timeout=60)


NATS_START = ["start-stop-daemon", "--start", "--oknodo", "--background", "--exec", "/usr/sbin/nats-server", "--",
              "-a", "127.0.0.1", "-p", "4222", "-js", "-sd", "/var/lib/nats-server", "-l", "/var/log/nats-server.log"]
NATS_STOP = ["start-stop-daemon", "--stop", "--oknodo", "--retry", "10", "--exec", "/usr/sbin/nats-server"]


def post_events(n: int, prefix: str, *, every_bad: int = 4) -> tuple[list[dict[str, Any]], int]:
    """``n`` post events; every ``every_bad``-th mentions a banked domain. Returns them and that count."""
    events = [{"event_id": f"{prefix}{i}", "type": "post.created", "post_id": f"{prefix}{i}",
               "channel_id": f"{prefix}chan{i % 5000}", "text": ("see scam-site.example now" if i % every_bad == 0
                                                                else f"ordinary post number {i}")}
              for i in range(n)]
    return events, len(range(0, n, every_bad))
