"""Recording decisions and turning them into platform actions, in bulk, idempotently, audited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from poise.actions.channel_removals import record_removals
from poise.actions.rollup import add_decisions
from poise.actions.vocabulary import (
    RESTRICTIVE_OUTCOMES,
    ActionKind,
    AutomatedDecision,
    DecisionSource,
    Outcome,
    action_for,
    status_after,
)
from poise.audit import AuditRecord
from poise.audit.log import append_records
from poise.core.clock import utcnow
from poise.core.errors import Unprocessable
from poise.core.ids import new_id
from poise.observability.metrics import ACTIONS, DECISIONS
from poise.platform.service import SUBJECT_MODELS
from poise.store.db import core_table
from poise.store.models import Action, Decision, Jurisdiction
from poise.store.sequences import next_values

ACTION_FEED_SEQUENCE = "action_feed"



@dataclass
class DecisionInput:
    """Everything a decision records. ``idempotency_key`` makes a retried decision a no-op."""

    subject_type: str
    subject_id: str
    outcome: Outcome
    source: DecisionSource
    actor: str
    actor_role: str
    ground: str | None = None
    category: str | None = None
    legal_reference: str | None = None
    policy: str | None = None
    rule_id: str | None = None
    signal: dict[str, Any] = field(default_factory=dict)
    territorial_scope: list[str] = field(default_factory=list)
    explanation: str | None = None
    automated_detection: bool = False
    automated_decision: AutomatedDecision = AutomatedDecision.NOT
    case_id: str | None = None
    idempotency_key: str | None = None
    target_external_id: str | None = None
    action_params: dict[str, Any] = field(default_factory=dict)


class DecisionResult:
    """A decision, the actions it produced, and whether it was new (False: an idempotent replay).

    ``decision`` and ``actions`` are detached snapshots of the rows written, built on first access (most
    bulk callers only need ``decision_id``); load them from a session to change them.
    """

    def __init__(self, decision: Decision | dict[str, Any], actions: Sequence[Action | dict[str, Any]],
                 created: bool) -> None:
        self._decision = decision
        self._actions = actions
        self.created = created

    @property
    def decision_id(self) -> str:
        return str(self._decision["id"] if isinstance(self._decision, dict) else self._decision.id)

    @cached_property
    def decision(self) -> Decision:
        return Decision(**self._decision) if isinstance(self._decision, dict) else self._decision

    @cached_property
    def actions(self) -> list[Action]:
        return [Action(**a) if isinstance(a, dict) else a for a in self._actions]


def _existing(session: Session, keys: list[str]) -> dict[str, Decision]:
    found: dict[str, Decision] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        for d in session.execute(select(Decision).where(Decision.idempotency_key.in_(chunk))).scalars():
            assert d.idempotency_key is not None
            found[d.idempotency_key] = d
    return found


def _actions_of(session: Session, decision_ids: list[str]) -> dict[str, list[Action]]:
    out: dict[str, list[Action]] = {}
    for start in range(0, len(decision_ids), 500):
        chunk = decision_ids[start:start + 500]
        for a in session.execute(select(Action).where(Action.decision_id.in_(chunk))).scalars():
            out.setdefault(a.decision_id or "", []).append(a)
    return out


def decide_many(session: Session, inputs: Sequence[DecisionInput]) -> list[DecisionResult]:
    """Record decisions with their audit entries and platform actions; replays return the original.

    All rows are written with bulk inserts inside the caller's transaction. Action feed numbers are
    allocated under the sequence lock, so the pull feed sees actions in commit order.
    """
    for inp in inputs:
        if inp.outcome is Outcome.GEO_RESTRICT and not (inp.territorial_scope or inp.action_params.get("countries")):
            raise Unprocessable("a geo-restriction needs the countries it applies to", code="missing_countries")
    keys = [i.idempotency_key for i in inputs if i.idempotency_key]
    existing = _existing(session, keys) if keys else {}
    existing_actions = _actions_of(session, [d.id for d in existing.values()]) if existing else {}

    now = utcnow()
    # per input: an earlier decision (replay), or the index of the row this call writes and whether this
    # input is the one that created it (a key repeated within the batch replays the first occurrence)
    plan: list[DecisionResult | tuple[int, bool]] = []
    decision_rows: list[dict[str, Any]] = []
    action_rows: list[dict[str, Any]] = []
    audit: list[AuditRecord] = []
    new_in_batch: dict[str, int] = {}
    for inp in inputs:
        key = inp.idempotency_key
        if key and key in existing:
            d = existing[key]
            plan.append(DecisionResult(d, existing_actions.get(d.id, []), created=False))
            continue
        if key and key in new_in_batch:
            plan.append((new_in_batch[key], False))
            continue
        decision_id = new_id()
        decision_rows.append(dict(
            id=decision_id, idempotency_key=key, case_id=inp.case_id, subject_type=inp.subject_type,
            subject_id=inp.subject_id, outcome=inp.outcome.value, ground=inp.ground,
            legal_reference=inp.legal_reference, category=inp.category, source=inp.source.value,
            automated_detection=inp.automated_detection, automated_decision=inp.automated_decision.value,
            policy=inp.policy, rule_id=inp.rule_id, signal=inp.signal, territorial_scope=inp.territorial_scope,
            explanation=inp.explanation, decided_by=inp.actor, created_at=now))
        plan.append((len(decision_rows) - 1, True))
        if key:
            new_in_batch[key] = len(decision_rows) - 1
        kind = action_for(inp.outcome, inp.subject_type)
        if kind is not None:
            params = dict(inp.action_params)
            if inp.territorial_scope and "countries" not in params:
                params["countries"] = inp.territorial_scope
            action_rows.append(dict(id=new_id(), decision_id=decision_id, kind=kind.value,
                                    target_type=inp.subject_type, target_id=inp.subject_id,
                                    target_external_id=inp.target_external_id, params=params,
                                    status="pending", created_at=now))
        audit.append(AuditRecord(inp.actor, inp.actor_role, "decision.recorded", inp.subject_type, inp.subject_id,
                                 {"decision_id": decision_id, "outcome": inp.outcome.value,
                                  "source": inp.source.value, "ground": inp.ground, "category": inp.category,
                                  "rule_id": inp.rule_id, "policy": inp.policy, "case_id": inp.case_id,
                                  "legal_reference": inp.legal_reference,
                                  "action": kind.value if kind else None}))

    if decision_rows:
        append_records(session, audit)  # takes the audit lock first: a fixed lock order everywhere
        session.execute(insert(core_table(Decision)), decision_rows)  # Core: no ORM bookkeeping
        add_decisions(session, decision_rows)
        if action_rows:
            seqs = next_values(session, ACTION_FEED_SEQUENCE, len(action_rows))
            for seq, action_row in zip(seqs, action_rows, strict=True):
                action_row["seq"] = seq
            session.execute(insert(core_table(Action)), action_rows)
        _apply_subject_status(session, action_rows)
        restrictive = {o.value for o in RESTRICTIVE_OUTCOMES}
        record_removals(session, [r for r in decision_rows if r["subject_type"] == "content"
                                  and r["outcome"] in restrictive],
                        [r["subject_id"] for r in decision_rows if r["subject_type"] == "content"
                         and r["outcome"] == Outcome.RESTORE.value])
        for row in decision_rows:  # counted when written; a rolled-back batch over-counts, never under-counts
            DECISIONS.labels(row["source"], row["outcome"]).inc()
        for action_row in action_rows:
            ACTIONS.labels(action_row["kind"]).inc()

    actions_by_decision: dict[str, list[dict[str, Any]]] = {}
    for a in action_rows:
        actions_by_decision.setdefault(a["decision_id"], []).append(a)
    results: list[DecisionResult] = []
    for step in plan:
        if isinstance(step, DecisionResult):
            results.append(step)
        else:
            row = decision_rows[step[0]]
            results.append(DecisionResult(row, actions_by_decision.get(row["id"], []), created=step[1]))
    return results


def decide(session: Session, inp: DecisionInput) -> DecisionResult:
    """Record one decision (see :func:`decide_many`)."""
    return decide_many(session, [inp])[0]


def _apply_subject_status(session: Session, action_rows: list[dict[str, Any]]) -> None:
    """Mirror the platform actions on Poise's own copy of the subjects (grouped into bulk updates)."""
    groups: dict[tuple[str, str], list[str]] = {}
    for a in action_rows:
        kind = ActionKind(a["kind"])
        if kind in (ActionKind.WITHDRAW_COUNTRY, ActionKind.RETURN_COUNTRY):
            withdrawn = kind is ActionKind.WITHDRAW_COUNTRY
            session.execute(update(Jurisdiction).where(Jurisdiction.code == a["target_id"]).values(
                service_status="withdrawn" if withdrawn else "active",
                withdrawn_at=utcnow() if withdrawn else None))
            continue
        status = status_after(kind)
        if status is None or a["target_type"] not in SUBJECT_MODELS:
            continue
        groups.setdefault((a["target_type"], status), []).append(a["target_id"])
    for (target_type, status), ids in groups.items():
        table = SUBJECT_MODELS[target_type]
        if not hasattr(table, "status"):
            continue
        for start in range(0, len(ids), 500):
            session.execute(update(table).where(table.id.in_(ids[start:start + 500])).values(status=status))
