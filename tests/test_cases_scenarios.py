"""Seed scenarios end to end through the HTTP API: a user reports a post selling drugs; an NGO hotline
flags child-abuse material (ahead of ordinary reports, hash banked, re-upload blocked)."""

from __future__ import annotations

import base64
import csv
import io
import json
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from poise.audit.models import AuditEntry
from poise.cases.models import Appeal
from poise.store.db import Database
from poise.store.models import ContentItem, Decision
from tests.conftest import auth, issue_keys, make_client
from tests.test_media_signals import picture, reencoded


def _ingest(client: TestClient, key: str, events: list[dict]) -> dict:
    response = client.post("/api/v1/ingest/events", headers=auth(key), json={"events": events})
    assert response.status_code == 200, response.text
    return response.json()


def _moderator_keys(db: Database, client: TestClient, admin: str) -> tuple[str, str]:
    from poise.auth.keys import create_key
    from poise.auth.roles import Role

    with db.session() as s:
        return (create_key(s, name="Mo", role=Role.MODERATOR).secret,
                create_key(s, name="Nia", role=Role.MODERATOR).secret)


def _audit(db: Database, action: str) -> list[dict]:
    with db.read_session() as s:
        return [json.loads(e.details) for e in s.execute(select(AuditEntry).where(AuditEntry.action == action))
                .scalars()]


def test_user_reports_a_post_selling_drugs(db: Database) -> None:
    client = make_client(db, webhook_dispatcher=False)
    keys = issue_keys(db)
    mo, nia = _moderator_keys(db, client, keys["admin"])
    _ingest(client, keys["platform"], [
        {"event_id": "a1", "type": "account.created", "account_id": "dealer", "handle": "candyman"},
        {"event_id": "p1", "type": "post.created", "post_id": "post-77", "account_id": "dealer", "channel_id": "c9",
         "text": "fresh stuff, ask me"}])
    notice = {"category": "drugs", "location": "https://t.example/c9/post-77",
              "explanation": "This post sells cocaine and MDMA with delivery.", "good_faith": True}
    missing = client.post("/api/v1/notices", json=notice)
    assert missing.status_code == 422 and missing.json()["error"]["code"] == "notifier_identity_required"
    filed = client.post("/api/v1/notices", json={**notice, "notifier_name": "Ana", "notifier_email": "ana@example.org"})
    assert filed.status_code == 201
    ack = filed.json()
    second = client.post("/api/v1/notices", json={**notice, "notifier_name": "Bo", "notifier_email": "bo@example.org",
                                                  "location": "post-77"}).json()
    assert second["case_id"] == ack["case_id"] and second["merged"] is True  # same item, one case
    queue = client.get("/api/v1/review/queue", headers=auth(mo)).json()
    assert [c["id"] for c in queue] == [ack["case_id"]]
    view = client.get(f"/api/v1/review/cases/{ack['case_id']}", headers=auth(mo)).json()
    assert view["content"]["text"] == "fresh stuff, ask me" and len(view["notices"]) == 2

    decided = client.post("/api/v1/review/decisions", headers=auth(mo), json={
        "case_ids": [ack["case_id"]], "outcome": "remove", "ground": "illegal_content",
        "reference": "Code de la santé publique, art. L5432-1", "explanation": "Offer to sell controlled drugs."})
    assert decided.status_code == 200, decided.text
    decision_id = decided.json()["decisions"][0]["id"]
    feed = client.get("/api/v1/actions/feed", headers=auth(keys["platform"])).json()["items"]
    assert [(a["kind"], a["target_external_id"]) for a in feed] == [("remove_content", "post-77")]

    statements = client.get(f"/api/v1/decisions/{decision_id}/statements", headers=auth(keys["platform"])).json()
    assert sorted(s["recipient"] for s in statements) == ["affected_user", "notifier", "notifier"]
    to_user = next(s for s in statements if s["recipient"] == "affected_user")
    assert to_user["ground"] == "illegal_content" and "L5432-1" in to_user["legal_or_terms_reference"]
    assert to_user["automated_decision"] == "not_automated"
    assert {r["kind"] for r in to_user["redress"]} == {"internal_complaint", "out_of_court_settlement",
                                                       "judicial_redress"}
    status = client.get(f"/api/v1/notices/{ack['notice_id']}", params={"token": ack["tracking_token"]}).json()
    assert status["status"] == "decided" and status["outcome"] == "remove" and len(status["statements"]) == 1
    assert client.get(f"/api/v1/notices/{ack['notice_id']}", params={"token": "wrong-token"}).status_code == 404

    # the poster appeals through the platform; the same moderator may not decide it, another one reverses
    appeal = client.post("/api/v1/appeals", headers=auth(keys["platform"]),
                         json={"decision_id": decision_id, "reason": "It was a joke about candy, not drugs."})
    assert appeal.status_code == 201
    appeal_id = appeal.json()["id"]
    same = client.post(f"/api/v1/appeals/{appeal_id}/decision", headers=auth(mo),
                       json={"reverse": True, "reasons": "I changed my mind."})
    assert same.status_code == 403 and same.json()["error"]["code"] == "same_reviewer"
    other = client.post(f"/api/v1/appeals/{appeal_id}/decision", headers=auth(nia),
                        json={"reverse": True, "reasons": "No offer to sell is visible in the post itself."})
    assert other.status_code == 200 and other.json()["result"] == "reversed"
    feed = client.get("/api/v1/actions/feed", headers=auth(keys["platform"])).json()["items"]
    assert [a["kind"] for a in feed] == ["remove_content", "restore_content"]
    with db.read_session() as s:
        status_now = s.execute(select(ContentItem.status).where(ContentItem.external_id == "post-77")).scalar_one()
    assert status_now == "visible"
    # the transparency report's audit contract
    assert _audit(db, "notice.received")[0]["notifier_type"] == "user"
    decided_entry = _audit(db, "case.decided")[0]
    assert decided_entry["outcome"] == "remove" and decided_entry["source"] == "user_notice"
    assert decided_entry["handling_seconds"] >= 0
    assert _audit(db, "appeal.decided")[0]["result"] == "reversed"


def test_ngo_hotline_flags_child_abuse_material(db: Database) -> None:
    client = make_client(db, webhook_dispatcher=False)
    keys = issue_keys(db)
    mo, _ = _moderator_keys(db, client, keys["admin"])
    image = picture(33)
    _ingest(client, keys["platform"], [
        {"event_id": "u1", "type": "post.created", "post_id": "ordinary", "text": "rude joke"},
        {"event_id": "u2", "type": "post.created", "post_id": "abuse-1", "account_id": "offender",
         "text": "pics", "media": [{"media_id": "img1", "mime_type": "image/jpeg",
                                    "data_base64": base64.b64encode(image).decode()}]}])
    user_notice = client.post("/api/v1/notices", json={
        "category": "harassment", "location": "ordinary", "explanation": "This insults me and my family.",
        "good_faith": True, "notifier_name": "Cy", "notifier_email": "cy@example.org"}).json()
    flagger = client.post("/api/v1/trusted-flaggers", headers=auth(keys["admin"]),
                          json={"name": "Hotline NGO", "country": "FR", "expertise": ["csam"]})
    assert flagger.status_code == 201
    ngo_key = flagger.json()["api_key"]
    flagged = client.post("/api/v1/notices", headers=auth(ngo_key), json={
        "category": "csam", "location": "abuse-1", "explanation": "Known series of child sexual abuse images.",
        "good_faith": True, "urgent": True})
    assert flagged.status_code == 201
    queue = client.get("/api/v1/review/queue", headers=auth(mo)).json()
    assert [c["id"] for c in queue] == [flagged.json()["case_id"], user_notice["case_id"]]  # the NGO first
    assert queue[0]["priority"] == 0 and queue[0]["source"] == "trusted_flagger"
    due = queue[0]["due_at"]
    assert due is not None
    alerts = client.get("/api/v1/alerts", headers=auth(mo)).json()
    assert len(alerts) == 1 and "Hotline NGO" in alerts[0]["message"]

    decided = client.post("/api/v1/review/decisions", headers=auth(mo), json={
        "case_ids": [flagged.json()["case_id"]], "outcome": "remove", "reference": "Directive 2011/93/EU"})
    assert decided.status_code == 200
    banks = {b["name"]: b for b in client.get("/api/v1/banks", headers=auth(mo)).json()}
    assert banks["csam-confirmed"]["signals"] == {"pdq": 1, "sha256": 1, "md5": 1}
    assert _audit(db, "case.decided")[0]["source"] == "trusted_flagger"

    # the same image is re-uploaded (resized, recompressed) elsewhere: screening removes it automatically
    result = _ingest(client, keys["platform"], [
        {"event_id": "u3", "type": "post.created", "post_id": "reupload", "text": "again",
         "media": [{"media_id": "img2", "mime_type": "image/jpeg",
                    "data_base64": base64.b64encode(reencoded(image, 700, 65)).decode()}]}])
    assert len(result["items"][0]["decisions"]) == 2  # remove + preserve
    with db.read_session() as s:
        removal = s.execute(select(Decision).where(Decision.rule_id == "csam-known-media",
                                                   Decision.outcome == "remove")).scalar_one()
        assert removal.signal["matches"][0]["bank"] == "csam-confirmed"


def test_appeal_window_and_single_appeal(db: Database) -> None:
    client = make_client(db, webhook_dispatcher=False)
    keys = issue_keys(db)
    mo, _ = _moderator_keys(db, client, keys["admin"])
    ack = client.post("/api/v1/notices", json={"category": "scam", "location": "post-x", "good_faith": True,
                                               "explanation": "Fake giveaway asking for crypto.",
                                               "notifier_name": "Di", "notifier_email": "di@example.org"}).json()
    early = client.post(f"/api/v1/notices/{ack['notice_id']}/appeal", params={"token": ack["tracking_token"]},
                        json={"reason": "Please look again at this."})
    assert early.status_code == 404 and early.json()["error"]["code"] == "not_decided"
    client.post("/api/v1/review/decisions", headers=auth(mo), json={
        "case_ids": [ack["case_id"]], "outcome": "no_action"})
    first = client.post(f"/api/v1/notices/{ack['notice_id']}/appeal", params={"token": ack["tracking_token"]},
                        json={"reason": "It is clearly a scam, see the wallet address."})
    assert first.status_code == 201
    again = client.post(f"/api/v1/notices/{ack['notice_id']}/appeal", params={"token": ack["tracking_token"]},
                        json={"reason": "It is clearly a scam, see the wallet address."})
    assert again.status_code == 409
    with db.session() as s:  # seven months later
        decision = s.execute(select(Decision)).scalar_one()
        decision.created_at = decision.created_at - timedelta(days=214)
        s.execute(select(Appeal)).scalar_one().status = "decided"
    late = client.post("/api/v1/appeals", headers=auth(keys["platform"]),
                       json={"decision_id": decision.id, "reason": "Too late but still unhappy."})
    assert late.status_code == 422 and late.json()["error"]["code"] == "appeal_window_closed"


def test_cases_feed_the_daily_report_and_dsa_notice_table(db: Database) -> None:
    """The audit entries the cases context writes are the ones the transparency report reads."""
    from poise.core.clock import utcnow
    from poise.transparency.daily import compute_daily_report
    from poise.transparency.dsa_tables import notice_table

    client = make_client(db, webhook_dispatcher=False)
    keys = issue_keys(db)
    mo, _ = _moderator_keys(db, client, keys["admin"])
    flagger_key = client.post("/api/v1/trusted-flaggers", headers=auth(keys["admin"]),
                              json={"name": "Drug hotline"}).json()["api_key"]
    acks = [client.post("/api/v1/notices", headers=auth(flagger_key) if i == 0 else {}, json={
        "category": "drugs", "location": f"shop-{i}", "explanation": "Sells drugs with delivery.", "good_faith": True,
        "notifier_name": "Ana", "notifier_email": "ana@example.org"}).json() for i in range(3)]
    client.post("/api/v1/review/decisions", headers=auth(mo), json={
        "case_ids": [a["case_id"] for a in acks], "outcome": "remove", "reference": "Terms 3.1",
        "ground": "incompatible_content"})
    today = utcnow().date()
    with db.read_session() as s:
        report = compute_daily_report(s, today, small_count_threshold=1)
        tables = notice_table(s, today, today, "Poise test")
    assert report["notice_handling_hours"]["cases_decided"] == 3
    assert "drugs" in json.dumps(report["removals"])
    rows = list(csv.reader(io.StringIO(next(iter(tables.values())))))
    drugs = next(r for r in rows if len(r) > 6 and r[3] == "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS")
    assert (drugs[5], drugs[6]) == ("3", "1")  # notices received, of which from trusted flaggers
