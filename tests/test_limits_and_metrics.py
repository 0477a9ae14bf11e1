"""Oversized bodies (413), per-key rate limits (429), Prometheus metrics and structured logs."""

from __future__ import annotations

import json
import logging

from poise.observability.http import JsonFormatter
from poise.observability.limits import TokenBuckets
from poise.store.db import Database
from tests.conftest import auth, issue_keys, make_client


def test_oversized_bodies_are_refused_with_413(db: Database) -> None:
    client = make_client(db, max_body_bytes=2000)
    keys = issue_keys(db)
    big = {"events": [{"event_id": f"e{i}", "type": "post.created", "post_id": f"p{i}", "text": "x" * 100}
                      for i in range(30)]}
    declared = client.post("/api/v1/ingest/events", headers=auth(keys["platform"]), json=big)
    assert declared.status_code == 413 and declared.json()["error"]["code"] == "payload_too_large"
    body = json.dumps(big).encode()
    chunked = client.post("/api/v1/ingest/events", content=(body[i:i + 500] for i in range(0, len(body), 500)),
                          headers={**auth(keys["platform"]), "Content-Type": "application/json"})
    assert chunked.status_code == 413
    small = client.post("/api/v1/ingest/events", headers=auth(keys["platform"]),
                        json={"events": big["events"][:2]})
    assert small.status_code == 200


def test_rate_limit_is_per_key_with_retry_after(db: Database) -> None:
    client = make_client(db, rate_limit_per_minute=5)
    keys = issue_keys(db)
    answers = [client.get("/api/v1/me", headers=auth(keys["moderator"])).status_code for _ in range(7)]
    assert answers[:5] == [200] * 5 and answers[5:] == [429, 429]
    refused = client.get("/api/v1/me", headers=auth(keys["moderator"]))
    assert refused.json()["error"]["code"] == "rate_limited" and int(refused.headers["Retry-After"]) >= 1
    assert client.get("/api/v1/me", headers=auth(keys["admin"])).status_code == 200  # another key is unaffected


def test_token_bucket_refills() -> None:
    buckets = TokenBuckets(per_minute=60)  # one a second, bursts of 60
    assert all(buckets.take("k", now=0.0) == 0 for _ in range(60))
    assert buckets.take("k", now=0.0) > 0.9
    assert buckets.take("k", now=1.5) == 0


def test_metrics_count_requests_and_decisions(db: Database) -> None:
    client = make_client(db)
    keys = issue_keys(db)
    client.post("/api/v1/ingest/events", headers=auth(keys["platform"]), json={"events": [
        {"event_id": "m1", "type": "post.created", "post_id": "m1", "text": "hello"}]})
    text = client.get("/metrics").text
    assert 'poise_ingested_events_total{result="accepted"}' in text
    assert 'poise_http_requests_total{method="POST",route="/api/v1/ingest/events",status="200"}' in text
    assert "poise_http_request_seconds_bucket" in text


def test_json_log_lines() -> None:
    record = logging.LogRecord("poise.http", logging.INFO, __file__, 1, "GET %s", ("/x",), None)
    record.fields = {"status": 200, "route": "/x"}
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "GET /x" and line["status"] == 200 and line["level"] == "INFO"
