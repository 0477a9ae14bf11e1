"""Daily transparency report: numbers from known data, bucketing, immutability and versioning, pages."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert, update

from poise.actions.rollup import add_decisions, rebuild_day
from poise.audit import record
from poise.core.errors import PoiseError
from poise.core.ids import new_id
from poise.store.db import Database
from poise.store.models import Decision
from poise.transparency.daily import compute_daily_report
from poise.transparency.models import PublishedReport
from poise.transparency.publish import get_published, publish_daily
from tests.conftest import auth, issue_keys, make_client

DAY = date(2026, 11, 20)


def _decisions(db: Database, spec: list[tuple[str, str, str, str, int]], day: date = DAY) -> None:
    """spec: (category, subject_type, source, outcome, count) on ``day`` at noon UTC."""
    when = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    rows = [dict(id=new_id(), subject_type=st, subject_id=new_id(), outcome=outcome, source=source,
                 category=cat, decided_by="t", created_at=when, signal={}, territorial_scope=[],
                 automated_detection=False, automated_decision="not_automated")
            for cat, st, source, outcome, n in spec for _ in range(n)]
    with db.session() as s:
        s.execute(insert(Decision), rows)
        add_decisions(s, rows)


def _seed(db: Database) -> None:
    _decisions(db, [
        ("drugs", "content", "automated_rule", "remove", 40),
        ("csam", "content", "automated_hash_match", "remove", 12),
        ("terrorism", "channel", "authority_order", "ban_channel", 3),
        ("scam", "account", "user_notice", "suspend_account", 7),
        ("drugs", "content", "user_notice", "no_action", 9),  # not a restriction
    ])
    _decisions(db, [("drugs", "content", "automated_rule", "remove", 5)], DAY + timedelta(days=1))
    with db.session() as s:
        for i in range(6):
            record(s, "key:a", "authority", "authority_request.received", "authority_request", f"r{i}",
                   request_id=f"r{i}", country="FR" if i < 4 else "RU", request_type="tco_removal_order"
                   if i < 4 else "dsa_order_to_act", authority_id="a")
        for i in range(4):
            record(s, "system", "admin", "authority_request.closed", "authority_request", f"r{i}", request_id=f"r{i}",
                   country="FR", request_type="tco_removal_order", outcome="complied", principles=[],
                   handling_seconds=2)
        record(s, "system", "admin", "authority_request.closed", "authority_request", "r4", request_id="r4",
               country="RU", request_type="dsa_order_to_act", outcome="refused",
               principles=["P2-peaceful-protest"], handling_seconds=7200)


def _today_of_audit(db: Database) -> date:
    return datetime.now(UTC).date()


def test_numbers_match_known_data(any_db: Database) -> None:
    _seed(any_db)
    with any_db.read_session() as s:
        report = compute_daily_report(s, DAY, small_count_threshold=5)
        audit_day = compute_daily_report(s, _today_of_audit(any_db), small_count_threshold=5)
    removals = report["removals"]
    assert removals["total"] == 62
    assert removals["by_object"] == {"posts": 52, "channels": 3, "accounts": 7}
    assert removals["by_category"] == {"csam": 12, "drugs": 40, "scam": 7, "terrorism": "<5"}
    assert removals["by_detection_method"] == {"authority_order": 3, "automated_hash_match": 12,
                                               "automated_rule": 40, "user_notice": 7}
    requests = audit_day["authority_requests"]
    assert requests["totals"] == {"received": 6, "complied": 4, "partly_complied": 0, "refused": 1}
    fr = next(r for r in requests["by_country_and_type"] if r["country"] == "FR")
    assert fr == {"country": "FR", "request_type": "tco_removal_order", "received": "<5", "complied": "<5",
                  "partly_complied": 0, "refused": 0}
    assert requests["refusal_principles"] == {"P2-peaceful-protest": 1}
    assert requests["handling_hours"]["median"] is not None


def test_published_report_is_immutable_and_corrections_are_versions(any_db: Database) -> None:
    _seed(any_db)
    with any_db.session() as s:
        first = publish_daily(s, DAY, threshold=5)
        same = publish_daily(s, DAY, threshold=5)
    assert first.version == 1 and same.id == first.id
    _decisions(any_db, [("weapons", "content", "automated_classifier", "remove", 8)])  # late-arriving data
    with any_db.session() as s:
        second = publish_daily(s, DAY, threshold=5)
    assert second.version == 2 and second.previous_id == first.id
    with any_db.read_session() as s:
        assert json.loads(get_published(s, DAY, 1).content)["removals"]["total"] == 62
        assert json.loads(get_published(s, DAY).content)["removals"]["total"] == 70
    with any_db.session() as s:  # someone edits the stored numbers
        s.execute(update(PublishedReport).where(PublishedReport.id == first.id)
                  .values(content=first.content.replace('"total":62', '"total":6')))
    with any_db.read_session() as s, pytest.raises(PoiseError) as err:
        get_published(s, DAY, 1)
    assert err.value.code == "report_tampered"


def test_pages_json_csv_and_publish_roles(db: Database) -> None:
    _seed(db)
    client = make_client(db)
    keys = issue_keys(db)
    assert client.get(f"/api/v1/transparency/daily/{DAY}.json").status_code == 404
    assert client.post(f"/api/v1/transparency/daily/{DAY}/publish", headers=auth(keys["moderator"])).status_code == 403
    published = client.post(f"/api/v1/transparency/daily/{DAY}/publish", headers=auth(keys["admin"]))
    assert published.status_code == 200 and published.json()["version"] == 1
    body = client.get(f"/api/v1/transparency/daily/{DAY}.json").json()
    assert body["report"]["removals"]["total"] == 62
    csv_text = client.get(f"/api/v1/transparency/daily/{DAY}.csv").text
    assert csv_text.splitlines()[0] == "section,key,value" and "removals,total,62" in csv_text
    page = client.get(f"/transparency/daily/{DAY}")
    assert page.status_code == 200 and "chart-categories" in page.text and "<svg" in page.text
    assert str(DAY) in client.get("/transparency").text


def test_counters_equal_a_recount_from_decisions(any_db: Database) -> None:
    _seed(any_db)
    with any_db.read_session() as s:
        before = compute_daily_report(s, DAY)
    from poise.transparency.daily import day_bounds

    with any_db.session() as s:
        rebuild_day(s, DAY, *day_bounds(DAY))
    with any_db.read_session() as s:
        assert compute_daily_report(s, DAY)["removals"] == before["removals"]


def test_scheduler_catches_up_missed_days_once(any_db: Database) -> None:
    from poise.transparency.publish import catch_up

    _seed(any_db)
    with any_db.session() as s:
        first = catch_up(s, DAY + timedelta(days=3), threshold=5, first_day=DAY)
    assert first == [DAY, DAY + timedelta(days=1), DAY + timedelta(days=2)]
    with any_db.session() as s:
        assert catch_up(s, DAY + timedelta(days=3), threshold=5) == []
        assert catch_up(s, DAY + timedelta(days=4), threshold=5) == [DAY + timedelta(days=3)]
    with any_db.read_session() as s:
        assert json.loads(get_published(s, DAY + timedelta(days=1)).content)["removals"]["total"] == 5
