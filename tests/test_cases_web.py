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
