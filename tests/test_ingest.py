"""Batch intake: per-item rejection with reasons, idempotency by event id, entities and media stored."""

from __future__ import annotations

import base64
import hashlib

from fastapi.testclient import TestClient
from sqlalchemy import select

from poise.ingest.service import ingest_events
from poise.store.db import Database
from poise.store.models import ContentItem, MediaItem
from tests.conftest import auth, issue_keys, make_client


def _events() -> list[dict[str, object]]:
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 100
    return [
        {"event_id": "e1", "type": "account.created", "account_id": "u1", "handle": "alice", "country": "FR"},
        {"event_id": "e2", "type": "channel.created", "channel_id": "c1", "account_id": "u1", "title": "News"},
        {"event_id": "e3", "type": "post.created", "post_id": "p1", "channel_id": "c1", "account_id": "u1",
         "text": "hello", "media": [{"media_id": "m1", "data_base64": base64.b64encode(png).decode()}]},
        {"event_id": "e4", "type": "post.created"},  # no post_id
        {"event_id": "e5", "type": "teleport"},
        {"event_id": "e6", "type": "media.attached", "post_id": "p1", "media": [{"data_base64": "!!notbase64"}]},
        {"event_id": "e3", "type": "post.created", "post_id": "p1", "text": "dup in batch"},
    ]


def test_batch_keeps_good_items_and_explains_bad_ones(any_db: Database) -> None:
    with any_db.session() as s:
        result = ingest_events(s, _events())
    status = {r.index: (r.status, r.reason) for r in result.items}
    assert [status[i][0] for i in range(7)] == ["accepted", "accepted", "accepted", "rejected", "rejected",
                                                "rejected", "duplicate"]
    assert "post_id" in (status[3][1] or "") and "type" in (status[4][1] or "")
    assert "base64" in (status[5][1] or "").lower() or "data_base64" in (status[5][1] or "")
    with any_db.read_session() as s:
        post = s.execute(select(ContentItem).where(ContentItem.external_id == "p1")).scalar_one()
        assert post.text == "hello"
        media = s.execute(select(MediaItem)).scalar_one()
        png = b"\x89PNG\r\n\x1a\n" + b"0" * 100
        assert media.sha256 == hashlib.sha256(png).hexdigest() and media.content_id == post.id


def test_reingest_is_idempotent(any_db: Database) -> None:
    for _ in range(2):
        with any_db.session() as s:
            result = ingest_events(s, _events()[:3])
    assert result.accepted == 0 and result.duplicates == 3
    with any_db.read_session() as s:
        assert len(s.execute(select(MediaItem)).all()) == 1


def test_http_intake_roles_and_limits(db: Database) -> None:
    client: TestClient = make_client(db, max_batch_items=5)
    keys = issue_keys(db)
    r = client.post("/api/v1/ingest/events", headers=auth(keys["platform"]), json={"events": _events()[:3]})
    assert r.status_code == 200 and r.json()["accepted"] == 3
    r = client.post("/api/v1/ingest/events", headers=auth(keys["platform"]), json={"events": _events()})
    assert r.status_code == 413 and r.json()["error"]["code"] == "batch_too_large"
    r = client.post("/api/v1/ingest/events", headers=auth(keys["platform"]), json={"events": []})
    assert r.status_code == 422
    r = client.post("/api/v1/ingest/events", headers=auth(keys["moderator"]), json={"events": _events()[:1]})
    assert r.status_code == 403
