"""Stream workers on PostgreSQL + NATS JetStream: throughput with 1 and 2 workers, and queue lag under load.

    python -m benchmarks.worker_scaling [--events N] [--quick]

Publishes N post events (10% match a banked domain) to a fresh stream, then runs ``poise worker``
processes (real processes, as deployed) against a fresh PostgreSQL schema: first one worker, then, on a
second stream and schema, two. Prints events per second for each run, the ratio (2 workers / 1), and the
queue lag (messages waiting) sampled every half second while the workers drain the stream. Needs the
local PostgreSQL (127.0.0.1:5432, database test) and NATS with JetStream (127.0.0.1:4222).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
import uuid
from typing import Any

import nats
from sqlalchemy import create_engine, func, select, text

from poise.ingest.models import IngestedEvent
from poise.screening.banks import add_signal
from poise.store.db import Database
from poise.store.migrate import upgrade
from poise.stream.bus import ensure_stream, publish_events
from poise.stream.worker import DURABLE

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
NATS_URL = "nats://127.0.0.1:4222"


def _events(n: int, prefix: str) -> list[dict[str, Any]]:
    return [{"event_id": f"{prefix}{i}", "type": "post.created", "post_id": f"{prefix}{i}",
             "channel_id": f"{prefix}c{i % 2000}", "account_id": f"{prefix}u{i % 20000}",
             "text": "deals at bench-scam.example" if i % 10 == 0 else f"post {i} about the weather and sport"}
            for i in range(n)]


async def _publish(stream: str, events: list[dict[str, Any]]) -> None:
    nc = await nats.connect(NATS_URL)
    js = nc.jetstream()
    await ensure_stream(js, stream)
    for start in range(0, len(events), 20_000):
        await publish_events(js, stream, events[start:start + 20_000])
    await nc.close()


async def _lag(stream: str) -> int | None:
    nc = await nats.connect(NATS_URL)
    try:
        info = await nc.jetstream().consumer_info(stream, DURABLE)
        return int(info.num_pending or 0) + int(info.num_ack_pending or 0)
    except Exception:
        return None
    finally:
        await nc.close()


async def _drop(stream: str) -> None:
    nc = await nats.connect(NATS_URL)
    try:
        await nc.jetstream().delete_stream(stream)
    finally:
        await nc.close()


def run(n: int, workers: int) -> tuple[float, list[int]]:
    """Events per second with ``workers`` worker processes, and the lag samples."""
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{PG}?options=-csearch_path%3D{schema}"
    stream = f"POISE_BENCH_{uuid.uuid4().hex[:8].upper()}"
    db = Database(url)
    try:
        upgrade(db)
        with db.session() as s:
            add_signal(s, bank="bench", signal_type="domain", value="bench-scam.example", category="scam",
                       actor="bench", actor_role="admin")
        asyncio.run(_publish(stream, _events(n, "e")))
        env = {**os.environ, "POISE_DATABASE_URL": url, "POISE_NATS_STREAM": stream, "POISE_NATS_URL": NATS_URL,
               "POISE_CLASSIFIERS_ENABLED": "false"}
        procs = [subprocess.Popen([sys.executable, "-m", "poise", "worker", "--idle-exit", "3"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(workers)]
        t0 = time.perf_counter()
        lags: list[int] = []
        done_at = None
        while any(p.poll() is None for p in procs):
            lag = asyncio.run(_lag(stream))
            if lag is not None:
                lags.append(lag)
            with db.read_session() as s:
                if done_at is None and s.execute(select(func.count()).select_from(IngestedEvent)).scalar_one() >= n:
                    done_at = time.perf_counter()
            time.sleep(0.5)
        elapsed = (done_at or time.perf_counter()) - t0
        with db.read_session() as s:
            assert s.execute(select(func.count()).select_from(IngestedEvent)).scalar_one() == n
        return n / elapsed, lags
    finally:
        db.dispose()
        asyncio.run(_drop(stream))
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="20k events")
    args = parser.parse_args()
    n = 20_000 if args.quick else args.events
    one, lag_one = run(n, 1)
    two, lag_two = run(n, 2)
    print(f"events: {n:,} on PostgreSQL + NATS JetStream (10% removed by a domain rule)")
    print(f"1 worker: {one:,.0f} events/s; queue lag peak {max(lag_one, default=0)} batches of 500")
    print(f"2 workers: {two:,.0f} events/s; queue lag peak {max(lag_two, default=0)} batches of 500")
    print(f"ratio: {two / one:.2f}x on {os.cpu_count()} cores (shared with PostgreSQL and NATS)")


if __name__ == "__main__":
    main()
