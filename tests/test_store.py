"""The store on SQLite and PostgreSQL: migrations match the models, entities round-trip, decisions act."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from poise.actions.service import DecisionInput, decide, decide_many
from poise.actions.vocabulary import DecisionSource, Outcome
from poise.core.errors import Unprocessable
from poise.platform.service import upsert_account, upsert_channel, upsert_content
from poise.store.db import Database
from poise.store.models import Action, Channel, ContentItem, Decision, Jurisdiction
from poise.store.registry import load_all_models


def test_migrations_match_models(any_db: Database) -> None:
    with any_db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), load_all_models())
    assert diff == [], f"models and migrations differ; run `poise db revision -m ...`: {diff}"


def test_entities_round_trip_with_utc_times(any_db: Database) -> None:
    when = datetime(2026, 8, 18, 12, 30, 5, 123456, tzinfo=UTC)
    with any_db.session() as s:
        upsert_account(s, "a1", handle="alice", country="FR", registered_at=when)
        upsert_channel(s, "ch1", owner_external_id="a1", title="News")
        upsert_content(s, "p1", channel_external_id="ch1", author_external_id="a1", text="héllo ✓")
        s.add(Jurisdiction(code="FR", name="France", is_eu_member=True, rule_of_law_tier=1,
                           point_of_contact={"email": "x@example.org"}))
    with any_db.read_session() as s:
        item = s.execute(select(ContentItem).where(ContentItem.external_id == "p1")).scalar_one()
        assert item.text == "héllo ✓" and item.created_at.tzinfo is not None
        channel = s.get(Channel, item.channel_id)
        assert channel is not None and channel.title == "News"
        from poise.store.models import PlatformAccount

        account = s.execute(select(PlatformAccount)).scalar_one()
        assert account.registered_at == when
        assert s.get(Jurisdiction, "FR").point_of_contact == {"email": "x@example.org"}  # type: ignore[union-attr]


def _post(db: Database, ext: str = "p1") -> str:
    with db.session() as s:
        upsert_channel(s, "ch1", title="News")
        return upsert_content(s, ext, channel_external_id="ch1", text="x").id


def _input(subject_id: str, key: str | None, outcome: Outcome = Outcome.REMOVE) -> DecisionInput:
    return DecisionInput(subject_type="content", subject_id=subject_id, outcome=outcome,
                         source=DecisionSource.RULE, actor="rule:test", actor_role="platform",
                         ground="illegal_content", category="STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
                         idempotency_key=key, automated_detection=True)


def test_decision_writes_action_audit_and_status(any_db: Database) -> None:
    post = _post(any_db)
    with any_db.session() as s:
        result = decide(s, _input(post, "evt-1"))
    assert result.created and [a.kind for a in result.actions] == ["remove_content"]
    with any_db.read_session() as s:
        assert s.get(ContentItem, post).status == "removed"  # type: ignore[union-attr]
        from poise.audit import verify_chain

        assert verify_chain(s).entries == 1


def test_decisions_are_idempotent_across_and_within_batches(any_db: Database) -> None:
    posts = [_post(any_db, f"p{i}") for i in range(3)]
    with any_db.session() as s:
        first = decide_many(s, [_input(posts[0], "k0"), _input(posts[1], "k1"), _input(posts[1], "k1")])
    assert [r.created for r in first] == [True, True, False]
    assert first[1].decision.id == first[2].decision.id
    with any_db.session() as s:
        again = decide_many(s, [_input(posts[0], "k0"), _input(posts[2], "k2")])
    assert [r.created for r in again] == [False, True]
    assert again[0].decision.id == first[0].decision.id and again[0].actions[0].id == first[0].actions[0].id
    with any_db.read_session() as s:
        assert len(s.execute(select(Decision)).all()) == 3
        seqs = sorted(a.seq for a in s.execute(select(Action)).scalars())
        assert seqs == [1, 2, 3]


def test_geo_restriction_needs_countries(any_db: Database) -> None:
    post = _post(any_db)
    with any_db.session() as s, pytest.raises(Unprocessable):
        decide(s, _input(post, None, Outcome.GEO_RESTRICT))
    with any_db.session() as s:
        inp = _input(post, None, Outcome.GEO_RESTRICT)
        inp.territorial_scope = ["TR"]
        result = decide(s, inp)
    assert result.actions[0].params == {"countries": ["TR"]}


def test_withdrawal_from_a_country_and_return(any_db: Database) -> None:
    with any_db.session() as s:
        s.add(Jurisdiction(code="RU", name="Russia", rule_of_law_tier=3))
    for outcome, status in ((Outcome.WITHDRAW_COUNTRY, "withdrawn"), (Outcome.RETURN_COUNTRY, "active")):
        with any_db.session() as s:
            decide(s, DecisionInput(subject_type="country", subject_id="RU", outcome=outcome,
                                    source=DecisionSource.POLICY, actor="key:admin", actor_role="admin"))
        with any_db.read_session() as s:
            assert s.get(Jurisdiction, "RU").service_status == status  # type: ignore[union-attr]


def test_bank_signal_added_once_and_audited(any_db: Database) -> None:
    from poise.screening.banks import add_signal
    from poise.screening.models import BankSignal

    for _ in range(2):
        with any_db.session() as s:
            add_signal(s, bank="csam-confirmed", signal_type="pdq", value="AB" * 32, category="csam",
                       actor="key:m", actor_role="moderator", source_ref="case-1")
    with any_db.read_session() as s:
        rows = s.execute(select(BankSignal)).scalars().all()
        assert [r.value for r in rows] == ["ab" * 32]
        from poise.audit import verify_chain

        assert verify_chain(s).entries == 1
    with any_db.session() as s, pytest.raises(Unprocessable):
        add_signal(s, bank="x", signal_type="nope", value="v", category="other", actor="a", actor_role="admin")


def test_action_feed_pages_in_order_and_acks(any_db: Database) -> None:
    from tests.conftest import auth, issue_keys, make_client

    posts = [_post(any_db, f"p{i}") for i in range(5)]
    with any_db.session() as s:
        decide_many(s, [_input(p, f"k{p}") for p in posts])
    client = make_client(any_db)
    keys = issue_keys(any_db)
    first = client.get("/api/v1/actions/feed", params={"limit": 3}, headers=auth(keys["platform"])).json()
    second = client.get("/api/v1/actions/feed", params={"after": first["next_after"]},
                        headers=auth(keys["platform"])).json()
    seqs = [a["seq"] for a in first["items"] + second["items"]]
    assert seqs == [1, 2, 3, 4, 5]
    ids = [a["id"] for a in first["items"]]
    assert client.post("/api/v1/actions/ack", json={"action_ids": ids}, headers=auth(keys["platform"])).json() == {
        "acknowledged": 3}
    assert client.post("/api/v1/actions/ack", json={"action_ids": ids}, headers=auth(keys["platform"])).json() == {
        "acknowledged": 0}
