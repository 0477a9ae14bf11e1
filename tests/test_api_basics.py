"""HTTP behaviour every client relies on: health, docs, error bodies, pagination, audited reads."""

from __future__ import annotations

from fastapi.testclient import TestClient

from poise.store.db import Database
from tests.conftest import auth, issue_keys, make_client


def test_health_and_docs(any_client: TestClient) -> None:
    assert any_client.get("/health").json()["status"] == "ok"
    assert any_client.get("/docs").status_code == 200
    spec = any_client.get("/openapi.json").json()
    assert "/api/v1/decisions" in spec["paths"]


def test_errors_have_a_code_and_a_message(client: TestClient, keys: dict[str, str]) -> None:
    r = client.put("/api/v1/accounts", headers=auth(keys["platform"]), json={"external_id": "", "country": "France"})
    assert r.status_code == 422
    body = r.json()["error"]
    assert body["code"] == "validation_error" and "external_id" in body["message"]
    assert {tuple(d["loc"]) for d in body["details"]} >= {("body", "external_id"), ("body", "country")}
    r = client.get("/api/v1/nothing-here")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = client.post("/api/v1/decisions", headers=auth(keys["moderator"]), content=b"{not json",
                    )
    assert r.status_code == 422
    r = client.get("/api/v1/cases?cursor=%%%", headers=auth(keys["moderator"]))
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_cursor"


def test_pagination_walks_every_item_once(any_db: Database) -> None:
    client = make_client(any_db)
    keys = issue_keys(any_db)
    for i in range(23):
        assert client.put("/api/v1/accounts", headers=auth(keys["platform"]),
                          json={"external_id": f"acct-{i}"}).status_code == 200
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 10, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/accounts", params=params, headers=auth(keys["moderator"])).json()
        seen += [a["external_id"] for a in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(f"acct-{i}" for i in range(23)) and len(seen) == 23


def test_reads_of_user_data_are_audited(any_db: Database) -> None:
    client = make_client(any_db)
    keys = issue_keys(any_db)
    acct = client.put("/api/v1/accounts", headers=auth(keys["platform"]), json={"external_id": "a1"}).json()
    client.get(f"/api/v1/accounts/{acct['id']}", headers=auth(keys["legal-officer"]))
    entries = client.get("/api/v1/audit", params={"subject_id": acct["id"]}, headers=auth(keys["admin"])).json()
    reads = [e for e in entries["items"] if e["action"] == "read.platform_accounts"]
    assert len(reads) == 1 and reads[0]["actor_role"] == "legal-officer"
    assert client.get("/api/v1/audit/verify", headers=auth(keys["admin"])).json()["ok"] is True


def test_moderator_decision_over_http(any_db: Database) -> None:
    client = make_client(any_db)
    keys = issue_keys(any_db)
    client.put("/api/v1/channels", headers=auth(keys["platform"]), json={"external_id": "ch"})
    post = client.put("/api/v1/content", headers=auth(keys["platform"]),
                      json={"external_id": "p", "channel_external_id": "ch", "text": "drugs for sale"}).json()
    body = {"subject_type": "content", "subject_id": post["id"], "outcome": "remove", "ground": "illegal_content",
            "explanation": "sale of narcotics", "idempotency_key": "mod-1"}
    first = client.post("/api/v1/decisions", headers=auth(keys["moderator"]), json=body)
    assert first.status_code == 201 and first.json()["created"] is True
    assert first.json()["actions"][0]["kind"] == "remove_content"
    again = client.post("/api/v1/decisions", headers=auth(keys["moderator"]), json=body).json()
    assert again["created"] is False and again["decision"]["id"] == first.json()["decision"]["id"]
    assert client.get(f"/api/v1/content/{post['id']}", headers=auth(keys["moderator"])).json()["status"] == "removed"
    missing = client.post("/api/v1/decisions", headers=auth(keys["moderator"]),
                          json={**body, "subject_id": "nope", "idempotency_key": None})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "unknown_subject"
    unknown = client.get("/api/v1/accounts/01a20000-0000-7000-8000-000000000000", headers=auth(keys["admin"]))
    assert unknown.status_code == 404
