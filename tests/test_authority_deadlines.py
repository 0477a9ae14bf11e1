"""Deadlines: per request type, paused and resumed clocks, and escalation of requests running late."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from poise.audit.models import AuditEntry
from poise.authority.deadlines import escalate_due, level_for
from poise.authority.models import AuthorityRequest
from poise.cli import main
from poise.core.clock import as_utc
from poise.settings import get_settings
from poise.store.db import Database
from tests.authority_support import World, make_world


@pytest.fixture
def world(any_db: Database) -> World:
    return make_world(any_db)


def _load(world: World, request_id: str) -> AuthorityRequest:
    with world.db.read_session() as s:
        req = s.get(AuthorityRequest, request_id)
        assert req is not None
        s.expunge(req)
        return req


def test_deadlines_follow_type_instrument_and_emergency(world: World) -> None:
    def hours(body: dict[str, object]) -> float:
        req = world.submit("DE", **body)
        return (as_utc(_load(world, req["id"]).due_at) - as_utc(_load(world, req["id"]).received_at)  # type: ignore[arg-type]
                ).total_seconds() / 3600

    target = [{"type": "account", "handle": "suspect_de"}]
    assert hours({"request_type": "dsa_order_to_provide_information", "data_categories": ["subscriber"],
                  "targets": target}) == 240
    assert hours({"request_type": "eevidence_production_order", "data_categories": ["subscriber"],
                  "targets": target, "issuer_type": "prosecutor"}) == 240
    assert hours({"request_type": "eevidence_production_order", "data_categories": ["subscriber"],
                  "targets": target, "issuer_type": "prosecutor", "emergency": True}) == 8
    assert hours({"request_type": "dsa_art9_order", "targets": [{"type": "content", "external_id": "post-d1"}]}) == 24


def test_escalation_of_requests_approaching_and_past_their_deadline(world: World,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    req = world.submit("DE", request_type="dsa_order_to_provide_information", data_categories=["subscriber"],
                       targets=[{"type": "account", "handle": "suspect_de"}])
    assert req["status"] == "awaiting_disclosure"
    received = as_utc(_load(world, req["id"]).received_at)
    with world.db.session() as s:
        assert escalate_due(s, now=received + timedelta(hours=100)) == []
    caplog.set_level(logging.WARNING, logger="poise.alerts")
    with world.db.session() as s:
        soon = escalate_due(s, now=received + timedelta(hours=200))
    assert [(e.request_id, e.level) for e in soon] == [(req["id"], 1)]
    assert "approaching its deadline" in caplog.text
    with world.db.session() as s:
        assert escalate_due(s, now=received + timedelta(hours=201)) == []  # each level once
        late = escalate_due(s, now=received + timedelta(hours=241))
    assert [e.level for e in late] == [2] and late[0].remaining_seconds < 0
    with world.db.read_session() as s:
        entries = [json.loads(d) for d in s.execute(select(AuditEntry.details).where(
            AuditEntry.action == "authority_request.deadline_escalated").order_by(AuditEntry.seq)).scalars()]
    assert [(e["request_id"], e["level"]) for e in entries] == [(req["id"], 1), (req["id"], 2)]
    page = world.client.get(f"/api/v1/authority/requests/{req['id']}", headers=world.h("DE")).json()
    assert page["escalation_level"] == 2
    # closed requests are never escalated
    with world.db.session() as s:
        assert escalate_due(s, now=received + timedelta(days=400)) == []


def test_paused_clock_moves_the_deadline_and_is_not_escalated(world: World) -> None:
    req = world.submit("DE", request_type="dsa_art9_order", targets=[{"type": "content", "external_id": "post-d1"}])
    assert req["status"] == "needs_review"  # an Art. 9 order is carried out by a person
    rid = req["id"]
    r = world.client.post(f"/api/v1/authority/requests/{rid}/clock", headers=world.h("legal-officer"),
                          json={"action": "pause", "reason": "clarification", "note": "which post exactly?"})
    assert r.status_code == 200 and r.json()["clock_paused"] is True
    assert world.client.post(f"/api/v1/authority/requests/{rid}/clock", headers=world.h("legal-officer"),
                             json={"action": "pause", "reason": "clarification"}).status_code == 409
    due_before = _load(world, rid).due_at
    with world.db.session() as s:
        assert escalate_due(s, now=as_utc(due_before) + timedelta(hours=1)) == []  # type: ignore[arg-type]
        paused = s.get(AuthorityRequest, rid)
        assert paused is not None
        paused.paused_at = as_utc(paused.paused_at) - timedelta(hours=2)  # type: ignore[arg-type]
    r = world.client.post(f"/api/v1/authority/requests/{rid}/clock", headers=world.h("legal-officer"),
                          json={"action": "resume"})
    assert r.status_code == 200 and r.json()["clock_paused"] is False
    moved = as_utc(_load(world, rid).due_at) - as_utc(due_before)  # type: ignore[arg-type]
    assert timedelta(hours=2) <= moved < timedelta(hours=2, minutes=1)
    assert world.client.post(f"/api/v1/authority/requests/{rid}/clock", headers=world.h("DE"),
                             json={"action": "resume"}).status_code == 403


def test_level_for_thresholds() -> None:
    from datetime import UTC, datetime

    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    due = t0 + timedelta(hours=1)
    assert level_for(t0, due, t0 + timedelta(minutes=44)) == 0
    assert level_for(t0, due, t0 + timedelta(minutes=46)) == 1
    assert level_for(t0, due, t0 + timedelta(minutes=60)) == 2


def test_escalation_over_http_and_cli(world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    r = world.client.post("/api/v1/authority/deadlines/escalate", headers=world.h("legal-officer"))
    assert r.status_code == 200 and r.json() == []
    assert world.client.post("/api/v1/authority/deadlines/escalate", headers=world.h("DE")).status_code == 403
    monkeypatch.setenv("POISE_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        assert runner.invoke(main, ["migrate"]).exit_code == 0
        result = runner.invoke(main, ["authority", "deadlines"])
        assert result.exit_code == 0, result.output
        assert "0 escalated, 0 preservations expired" in result.output
        assert runner.invoke(main, ["authority", "deadlines", "--help"]).exit_code == 0
    finally:
        get_settings.cache_clear()
