"""Banks over HTTP, and screening through the ingest API."""

from __future__ import annotations

from poise.store.db import Database
from tests.conftest import auth, issue_keys, make_client


def _post(event_id: str, text: str) -> dict[str, object]:
    return {"event_id": event_id, "type": "post.created", "post_id": event_id, "channel_id": "c1", "text": text}


def test_add_quarantine_import_export_over_http(db: Database) -> None:
    client = make_client(db)
    keys = issue_keys(db)
    body = {"signal_type": "keyword", "value": "free bitcoin", "category": "scam"}
    assert client.post("/api/v1/banks/scam-words/signals", json=body,
                       headers=auth(keys["moderator"])).status_code == 403
    bad = client.post("/api/v1/banks/scam-words/signals", json={**body, "category": "unicorn"},
                      headers=auth(keys["senior-moderator"]))
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "unknown_category"
    added = client.post("/api/v1/banks/scam-words/signals", json=body, headers=auth(keys["senior-moderator"]))
    assert added.status_code == 201
    signal_id = added.json()["id"]

    ingest = client.post("/api/v1/ingest/events", headers=auth(keys["platform"]),
                         json={"events": [_post("e1", "FREE b1tcoin for all")]})
    assert ingest.status_code == 200 and len(ingest.json()["items"][0]["decisions"]) == 1
    feed = client.get("/api/v1/actions/feed", headers=auth(keys["platform"])).json()
    assert [a["kind"] for a in feed["items"]] == ["remove_content"]

    q = client.post(f"/api/v1/banks/signals/{signal_id}/quarantine", params={"reason": "false positives"},
                    headers=auth(keys["senior-moderator"]))
    assert q.status_code == 200 and q.json()["status"] == "quarantined"
    again = client.post("/api/v1/ingest/events", headers=auth(keys["platform"]),
                        json={"events": [_post("e2", "free bitcoin talk")]})
    assert again.json()["items"][0]["decisions"] == []

    csv_text = "signal_type,signal_value,tags\nurl,http://phish.example/login,\nmd5,xyz,\n"
    imported = client.post("/api/v1/banks/phish/import", params={"category": "scam"}, content=csv_text,
                           headers={**auth(keys["admin"]), "Content-Type": "text/plain"})
    assert imported.status_code == 200, imported.text
    assert imported.json()["added"] == 1 and imported.json()["rejected"][0]["line"] == 3
    exported = client.get("/api/v1/banks/phish/export.csv", headers=auth(keys["senior-moderator"]))
    assert exported.text.splitlines()[1] == "url,http://phish.example/login,"
    listed = client.get("/api/v1/banks", headers=auth(keys["moderator"])).json()
    assert {b["name"] for b in listed} == {"scam-words", "phish"}
    assert client.get("/api/v1/banks/nope/export.csv", headers=auth(keys["admin"])).status_code == 404
