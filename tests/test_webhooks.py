"""Webhook delivery: signed, retried until it succeeds, in order, and isolated from failing endpoints."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from poise.actions.service import DecisionInput, decide_many
from poise.actions.vocabulary import DecisionSource, Outcome
from poise.actions.webhooks import (
    SIGNATURE_HEADER,
    WebhookEndpoint,
    add_endpoint,
    deliver_once,
    sign,
    verify_signature,
)
from poise.platform.service import upsert_content
from poise.store.db import Database
from tests.conftest import auth, issue_keys, make_client


class Receiver:
    """A local HTTP endpoint whose behaviour the test sets: ok, fail (500) or hang."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.received: list[tuple[dict[str, Any], str, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if receiver.mode == "hang":
                    time.sleep(3)
                if receiver.mode == "fail":
                    self.send_response(500)
                else:
                    receiver.received.append((json.loads(body), self.headers[SIGNATURE_HEADER], body))
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def action_ids(self) -> list[str]:
        return [a["id"] for payload, _, _ in self.received for a in payload["actions"]]


@pytest.fixture
def receivers() -> Iterator[list[Receiver]]:
    made = [Receiver() for _ in range(3)]
    yield made
    for r in made:
        r.server.shutdown()


def _decide(db: Database, n: int, start: int = 0) -> None:
    with db.session() as s:
        posts = [upsert_content(s, f"p{i}") for i in range(start, start + n)]
        s.flush()
        decide_many(s, [DecisionInput("content", p.id, Outcome.REMOVE, DecisionSource.RULE, "t", "system",
                                      idempotency_key=f"k{p.external_id}") for p in posts])


def test_delivery_signed_retried_and_isolated(db: Database, receivers: list[Receiver]) -> None:
    good, flaky, hanging = receivers
    with db.session() as s:
        secrets = {r.url: add_endpoint(s, name=n, url=r.url, actor="t", actor_role="admin")[1]
                   for r, n in zip(receivers, ["good", "flaky", "hanging"], strict=True)}
    flaky.mode, hanging.mode = "fail", "hang"
    _decide(db, 3)
    started = time.perf_counter()
    outcomes = {o.endpoint_id: o for o in deliver_once(db, timeout=0.5)}
    assert time.perf_counter() - started < 2.5  # the hanging endpoint did not hold up the others
    assert len(good.action_ids()) == 3 and flaky.action_ids() == []
    assert sum(1 for o in outcomes.values() if o.error) == 2
    payload, header, body = good.received[0]
    assert payload["actions"][0]["kind"] == "remove_content"
    assert verify_signature(secrets[good.url], body, header)
    assert not verify_signature(secrets[good.url], body + b" ", header)
    assert not verify_signature("wrong", body, header)
    assert not verify_signature(secrets[good.url], body, header, now=time.time() + 3600)  # replayed later

    with db.session() as s:  # the failing endpoints are backing off, with the reason kept
        flaky_ep = s.query(WebhookEndpoint).filter_by(name="flaky").one()
        assert flaky_ep.consecutive_failures == 1 and flaky_ep.last_error == "HTTP 500"
        assert flaky_ep.next_attempt_at is not None
        for ep in s.query(WebhookEndpoint):
            ep.next_attempt_at = None  # fast-forward past the backoff
    flaky.mode, hanging.mode = "ok", "ok"
    _decide(db, 2, start=3)
    deliver_once(db, timeout=2)
    assert len(good.action_ids()) == 5
    assert flaky.action_ids() == good.action_ids() == hanging.action_ids()[:5]  # all, in feed order
    assert deliver_once(db) == []  # nothing left: cursors are at the end


def test_signature_format() -> None:
    header = sign("s3cret", b"{}", 1_700_000_000)
    assert header.startswith("t=1700000000,v1=") and len(header.split("v1=")[1]) == 64
    assert not verify_signature("s3cret", b"{}", "garbage")


def test_webhook_api_is_admin_only(db: Database) -> None:
    client = make_client(db)
    keys = issue_keys(db)
    body = {"name": "platform", "url": "http://127.0.0.1:9/hook"}
    assert client.post("/api/v1/webhooks", json=body, headers=auth(keys["platform"])).status_code == 403
    created = client.post("/api/v1/webhooks", json=body, headers=auth(keys["admin"]))
    assert created.status_code == 201 and created.json()["secret"].startswith("whsec_")
    listed = client.get("/api/v1/webhooks", headers=auth(keys["admin"])).json()
    assert "secret" not in listed[0]
    assert client.post("/api/v1/webhooks", json={"name": "x", "url": "not a url"},
                       headers=auth(keys["admin"])).status_code == 422
    gone = client.delete(f"/api/v1/webhooks/{listed[0]['id']}", headers=auth(keys["admin"]))
    assert gone.json()["enabled"] is False
