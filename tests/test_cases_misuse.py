"""Misuse (DSA Art. 23), escalation and bulk decisions, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from poise.actions.vocabulary import Outcome
from poise.auth.principal import Principal
from poise.auth.roles import Role
from poise.cases import misuse, review
from poise.cases.models import MisuseMeasure
from poise.cases.notices import NoticeInput, sla_for, submit_notice
from poise.core.errors import Forbidden, PoiseError
from poise.ingest.service import ingest_events
from poise.store.db import Database
from poise.store.models import Action, PlatformAccount

MOD = Principal(key_id="mod1", name="Mo", role=Role.MODERATOR)
SENIOR = Principal(key_id="sen1", name="Se", role=Role.SENIOR_MODERATOR)
WINDOW = timedelta(days=183)


def _notice(session, location: str, email: str = "ann@example.org", category: str = "scam"):  # type: ignore[no-untyped-def]
    return submit_notice(session, NoticeInput(category=category, location=location, good_faith=True,
                                              explanation="This is a fraudulent offer.", notifier_name="Ann",
                                              notifier_email=email), flagger=None, actor="anonymous",
                         actor_role="public")


def test_repeat_infringer_is_warned_then_suspended(any_db: Database) -> None:
    with any_db.session() as s:
        ingest_events(s, [{"event_id": f"e{i}", "type": "post.created", "post_id": f"p{i}", "account_id": "spammer",
                           "text": "win money"} for i in range(3)])
    outcomes = []
    for i in range(3):
        with any_db.session() as s:
            case_id = _notice(s, f"p{i}").case.id
        with any_db.session() as s:
            review.decide_cases(s, [case_id], review.ReviewDecision(Outcome.REMOVE, reference="Terms 4.2"), MOD,
                                repeat_threshold=3, appeal_window=WINDOW)
        with any_db.read_session() as s:
            outcomes.append(sorted(m.kind for m in s.execute(select(MisuseMeasure)).scalars()))
    assert outcomes == [[], ["account_warning"], ["account_suspension", "account_warning"]]
    with any_db.session() as s:
        account = s.execute(select(PlatformAccount).where(PlatformAccount.external_id == "spammer")).scalar_one()
        assert account.status == "suspended"
        assert s.execute(select(Action.kind).where(Action.target_id == account.id)).scalar_one() == "suspend_account"
        suspension = s.execute(select(MisuseMeasure).where(MisuseMeasure.kind == "account_suspension")).scalar_one()
        misuse.lift(s, suspension.id, actor="admin", actor_role="admin", reason="reviewed: shared account")
    with any_db.read_session() as s:
        account = s.execute(select(PlatformAccount).where(PlatformAccount.external_id == "spammer")).scalar_one()
        assert account.status == "active"


def test_manifestly_unfounded_notifier_is_throttled(any_db: Database) -> None:
    for i in range(3):
        with any_db.session() as s:
            case_id = _notice(s, f"fine{i}", email="Troll@example.org").case.id
        with any_db.session() as s:
            review.decide_cases(s, [case_id], review.ReviewDecision(Outcome.NO_ACTION, manifestly_unfounded=True),
                                MOD, repeat_threshold=3, appeal_window=WINDOW)
    with any_db.session() as s, pytest.raises(PoiseError) as err:
        _notice(s, "fine9", email="troll@example.org")
    assert err.value.status_code == 429 and err.value.code == "notifier_throttled"
    with any_db.session() as s:  # others are not affected
        _notice(s, "fine9", email="someone@example.org")


def test_escalated_case_needs_a_senior_and_bulk_decides_many(any_db: Database) -> None:
    with any_db.session() as s:
        cases = [_notice(s, f"item{i}").case.id for i in range(3)]
        review.escalate(s, cases[0], MOD, "unclear legality")
    with any_db.session() as s:
        assert [c.id for c in review.queue(s, include_escalated=False)] == cases[1:]
        with pytest.raises(Forbidden):
            review.decide_cases(s, cases, review.ReviewDecision(Outcome.REMOVE, reference="Terms 4.2"), MOD,
                                repeat_threshold=3, appeal_window=WINDOW)
    with any_db.session() as s:
        decisions = review.decide_cases(s, cases, review.ReviewDecision(Outcome.REMOVE, reference="Terms 4.2"),
                                        SENIOR, repeat_threshold=3, appeal_window=WINDOW)
    assert len({d.id for d in decisions}) == 3


def test_sla_table() -> None:
    assert sla_for("trusted_flagger", "csam", False) == (0, 15)
    assert sla_for("trusted_flagger", "terrorism", False) == (5, 60)
    assert sla_for("user", "drugs", False)[0] > sla_for("trusted_flagger", "drugs", False)[0]
    assert sla_for("trusted_flagger", "spam", True) == (0, 15)
