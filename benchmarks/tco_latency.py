"""TCO removal order -> action in the platform's pull feed, through the HTTP API, against the one-hour limit.

    python -m benchmarks.tco_latency [--orders N] [--quick] [--live] [--database-url URL]

A fresh database (SQLite by default) is migrated and seeded with the configured jurisdictions and N
terrorist posts in France. For each order the clock starts before a French authority POSTs the TCO
removal order and stops when the platform, polling ``GET /api/v1/actions/feed``, sees the order's
``remove_content`` action. In the same run, a baseline times the cheapest authenticated API call
(``GET /api/v1/me``) so the order's cost can be read as a multiple of the HTTP stack's floor. Prints p50,
p99 and max, the ratio of the one-hour legal limit (TCO Art. 3(3)) to p99, and the ratio to the baseline.
``--live`` runs a real uvicorn server on a loopback port instead of the in-process TestClient.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient
from rich.progress import Progress
from sqlalchemy import select

from poise.api.app import create_app
from poise.auth.keys import create_key
from poise.auth.roles import Role
from poise.demo import load_jurisdictions
from poise.platform.service import upsert_account, upsert_channel, upsert_content
from poise.settings import Settings
from poise.store.db import Database
from poise.store.migrate import upgrade
from poise.store.models import Authority

LEGAL_LIMIT_SECONDS = 3600.0


def seed(db: Database, orders: int) -> tuple[str, str]:
    """Jurisdictions, one channel with ``orders`` posts; returns (authority key, platform key)."""
    with db.session() as s:
        load_jurisdictions(s)
        upsert_account(s, "bench-acct", handle="bench", country="FR")
        upsert_channel(s, "bench-chan", owner_external_id="bench-acct", title="Propaganda", country="FR")
        for i in range(orders):
            upsert_content(s, f"bench-post-{i}", channel_external_id="bench-chan", author_external_id="bench-acct",
                           text=f"attack call number {i}")
        ofac = s.execute(select(Authority).where(Authority.name.like("%PHAROS%"))).scalar_one()
        authority = create_key(s, name="bench OFAC", role=Role.AUTHORITY, subject_id=ofac.id).secret
        platform = create_key(s, name="bench platform", role=Role.PLATFORM).secret
    return authority, platform


@contextmanager
def http_client(db: Database, live: bool) -> Iterator[Any]:
    """A TestClient, or an httpx client on a real uvicorn server."""
    app = create_app(Settings(database_url=db.url), db)
    if not live:
        with TestClient(app) as client:
            yield client
        return
    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            yield client
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def run(client: Any, orders: int, authority: str, platform: str) -> tuple[list[float], list[float]]:
    """Latencies (seconds) of each order until its action is in the feed, and of the baseline call."""
    head = {"X-API-Key": authority}
    feed_head = {"X-API-Key": platform}
    after = 0
    latencies: list[float] = []
    baseline: list[float] = []
    with Progress() as progress:
        task = progress.add_task("TCO orders", total=orders)
        for i in range(orders):
            t0 = time.perf_counter()
            r = client.post("/api/v1/authority/requests", headers=head, json={
                "request_type": "tco_removal_order", "instrument": "TCO-2021/784", "reference": f"BENCH-{i}",
                "category": "terrorism", "targets": [{"type": "content", "external_id": f"bench-post-{i}"}]})
            assert r.status_code == 201 and r.json()["status"] == "complied", r.text
            request_id = r.json()["id"]
            seen = False
            while not seen:
                page = client.get("/api/v1/actions/feed", params={"after": after}, headers=feed_head).json()
                after = page["next_after"]
                seen = any(a["kind"] == "remove_content" and a["params"].get("request_id") == request_id
                           for a in page["items"])
            latencies.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            assert client.get("/api/v1/me", headers=head).status_code == 200
            baseline.append(time.perf_counter() - t0)
            progress.update(task, advance=1)
    return latencies, baseline


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="200 orders")
    parser.add_argument("--live", action="store_true", help="real uvicorn server instead of the TestClient")
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()
    orders = 200 if args.quick else args.orders
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade(db)
        authority, platform = seed(db, orders)
        with http_client(db, args.live) as client:
            latencies, baseline = run(client, orders, authority, platform)
        db.dispose()
    p50, p99, worst = percentile(latencies, 50), percentile(latencies, 99), max(latencies)
    base = statistics.median(baseline)
    transport = "uvicorn over loopback HTTP" if args.live else "in-process TestClient"
    print(f"TCO orders: {orders:,} via {transport} on {db.dialect}")
    print(f"order -> action in feed:  p50 {p50 * 1000:.1f} ms  p99 {p99 * 1000:.1f} ms  max {worst * 1000:.1f} ms")
    print(f"baseline GET /api/v1/me:  p50 {base * 1000:.2f} ms")
    print(f"one-hour legal limit / p99: {LEGAL_LIMIT_SECONDS / p99:,.0f}x; order p50 vs baseline p50: "
          f"{p50 / base:.1f}x")


if __name__ == "__main__":
    main()
