"""Scale-out on the machine's NATS JetStream and PostgreSQL: publish, workers, exactly-once effect, faults."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading

import pytest

from poise.screening.banks import add_signal
from poise.screening.pipeline import build_screener
from poise.settings import Settings
from poise.store.db import Database
from poise.stream.worker import WorkerStats, run_worker
from tests.conftest import auth, issue_keys, make_client
from tests.stream_support import (
    NATS_START,
    NATS_STOP,
    NATS_URL,
    counts,
    post_events,
    private_stream,
    publish,
    run_async,
    service,
    wait_until,
)

pytestmark = [pytest.mark.nats, pytest.mark.postgres]


def _bank(db: Database) -> None:
    with db.session() as s:
        add_signal(s, bank="scam-sites", signal_type="domain", value="scam-site.example", category="scam",
                   actor="t", actor_role="admin")


def _run_worker(db: Database, stream: str, idle_exit: float = 2.0) -> WorkerStats:
    screener = build_screener(db, Settings(database_url=db.url, classifiers_enabled=False))
    return run_async(run_worker(db, screener, nats_url=NATS_URL, stream=stream, idle_exit=idle_exit))


def test_api_publishes_worker_decides_and_redelivery_changes_nothing(pg_db: Database) -> None:
    _bank(pg_db)
    with private_stream() as stream:
        client = make_client(pg_db, ingest_mode="nats", nats_stream=stream, webhook_dispatcher=False)
        keys = issue_keys(pg_db)
        events, bad = post_events(40, "a")
        response = client.post("/api/v1/ingest/events", headers=auth(keys["platform"]),
                               json={"events": [*events, {"event_id": "broken", "type": "teleport"}]})
        assert response.status_code == 202, response.text
        body = response.json()
        assert body["accepted"] == 40 and body["rejected"] == 1
        assert {i["status"] for i in body["items"]} == {"queued", "rejected"}
        stats = _run_worker(pg_db, stream)
        assert stats.events == 40 and counts(pg_db) == (40, bad, bad)
        publish(stream, events[:7] + events[7:])  # the same events again, as a redelivery would bring them
        publish(stream, list(reversed(events)))
        _run_worker(pg_db, stream)
        assert counts(pg_db) == (40, bad, bad)  # no second decision for any event
        feed = client.get("/api/v1/actions/feed", params={"limit": 1000}, headers=auth(keys["platform"])).json()
        assert len(feed["items"]) == bad


@pytest.mark.slow
def test_kill_9_worker_mid_stream_loses_and_doubles_nothing(pg_db: Database) -> None:
    _bank(pg_db)
    total = 100_000
    events, bad = post_events(total, "k")
    with private_stream() as stream:
        publish(stream, events)
        env = {**os.environ, "POISE_DATABASE_URL": pg_db.url, "POISE_NATS_STREAM": stream,
               "POISE_CLASSIFIERS_ENABLED": "false", "POISE_NATS_URL": NATS_URL}
        command = [sys.executable, "-m", "poise", "worker", "--idle-exit", "4"]
        first = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            wait_until(lambda: counts(pg_db)[0] >= 15_000, timeout=240)
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=30)
        assert counts(pg_db)[0] < total  # it really died mid-stream
        survivors = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                     for _ in range(2)]
        for worker in survivors:
            worker.wait(timeout=600)
            assert worker.returncode == 0, worker.stderr.read().decode()[-2000:] if worker.stderr else ""
    assert counts(pg_db) == (total, bad, bad)  # every event once, every matching post decided exactly once


@pytest.mark.slow
def test_nats_outage_answers_503_then_resumes_without_loss(pg_db: Database) -> None:
    _bank(pg_db)
    with private_stream() as stream:
        client = make_client(pg_db, ingest_mode="nats", nats_stream=stream, webhook_dispatcher=False)
        keys = issue_keys(pg_db)
        before, bad_before = post_events(30, "b")
        assert client.post("/api/v1/ingest/events", headers=auth(keys["platform"]),
                           json={"events": before}).status_code == 202
        service(NATS_STOP)
        try:
            down = client.post("/api/v1/ingest/events", headers=auth(keys["platform"]),
                               json={"events": post_events(5, "x")[0]})
            assert down.status_code == 503 and down.headers["Retry-After"]
            assert down.json()["error"]["code"] == "stream_unavailable"
        finally:
            service(NATS_START)
            wait_until(lambda: _port_open(4222), timeout=30)
        after, bad_after = post_events(30, "c")
        resumed = wait_until(lambda: _post_ok(client, keys["platform"], after), timeout=30, interval=1)
        assert resumed.status_code == 202
        _run_worker(pg_db, stream)
        assert counts(pg_db) == (60, bad_before + bad_after, bad_before + bad_after)  # stored before the outage too


@pytest.mark.slow
def test_postgres_outage_pauses_the_worker_and_nothing_is_lost(pg_db: Database) -> None:
    _bank(pg_db)
    events, bad = post_events(2_000, "p")
    with private_stream() as stream:
        screener = build_screener(pg_db, Settings(database_url=pg_db.url, classifiers_enabled=False))
        stop = asyncio.Event()
        stats = WorkerStats()
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_until_complete, args=(run_worker(
            pg_db, screener, nats_url=NATS_URL, stream=stream, stop=stop, stats=stats),), daemon=True)
        cluster = _pg_cluster()
        service(["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "stop", "-m", "fast"])
        try:
            publish(stream, events)  # accepted by the stream while the database is down
            thread.start()
            wait_until(lambda: stats.retries >= 1, timeout=60)
            client = make_client(pg_db, webhook_dispatcher=False)
            outage = client.get("/api/v1/me", headers=auth("poise_000000000000_x"))
            assert outage.status_code == 503 and outage.headers["Retry-After"]
        finally:
            service(["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "start"])
        wait_until(lambda: _count_or_zero(pg_db) == 2_000, timeout=180, interval=1)
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=30)
    assert counts(pg_db) == (2_000, bad, bad)


def _pg_cluster() -> str:
    return sorted(os.listdir("/etc/postgresql"))[0]


def _count_or_zero(db: Database) -> int:
    try:
        return counts(db)[0]
    except Exception:
        return 0


def _port_open(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _post_ok(client, key, events):  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/ingest/events", headers=auth(key), json={"events": events})
    return response if response.status_code == 202 else None
