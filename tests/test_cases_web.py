"""Console pages gate themselves; the queue partial serves htmx refreshes."""

from __future__ import annotations

from poise.store.db import Database
from tests.conftest import auth, issue_keys, make_client


def test_console_gates_and_queue_partial(db: Database) -> None:
    client = make_client(db, webhook_dispatcher=False)
    keys = issue_keys(db)
    anonymous = client.get("/console", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    assert client.get("/console", headers=auth(keys["authority"])).status_code == 403
    client.post("/api/v1/notices", json={"category": "scam", "location": "p1", "good_faith": True,
                                         "explanation": "Fake investment offer.", "notifier_name": "A",
                                         "notifier_email": "a@example.org"})
    partial = client.get("/console/queue", headers=auth(keys["moderator"]))
    assert partial.status_code == 200 and partial.text.strip().startswith("<tbody")
    assert partial.text.count('class="case-row"') == 1 and "hx-trigger" in partial.text
    page = client.get("/console", headers=auth(keys["moderator"]))
    assert page.status_code == 200 and 'id="queue-rows"' in page.text
    bad = client.post("/report", data={"category": "drugs", "location": "p2", "explanation": "short",
                                       "good_faith": "yes"})
    assert bad.status_code == 422 and "explain why" in bad.text


def test_case_view_shows_what_screening_found(db: Database) -> None:
    client = make_client(db, webhook_dispatcher=False)
    keys = issue_keys(db)
    result = client.post("/api/v1/ingest/events", headers=auth(keys["platform"]), json={"events": [
        {"event_id": "e1", "type": "post.created", "post_id": "p1",
         "text": "selling mdma 10 pills, discreet shipping, dm me"}]}).json()
    assert len(result["items"][0]["decisions"]) == 1  # the classifier escalated it to review
    case_id = client.get("/api/v1/review/queue", headers=auth(keys["moderator"])).json()[0]["id"]
    view = client.get(f"/api/v1/review/cases/{case_id}", headers=auth(keys["moderator"])).json()
    assert view["signals"][0]["rule_id"] == "classifier-drug-sale"
    assert view["signals"][0]["signal"]["classifier_scores"]["drug_sale"] >= 0.85
    page = client.get(f"/console/cases/{case_id}", headers=auth(keys["moderator"]))
    assert "classifier-drug-sale" in page.text and "drug_sale" in page.text
