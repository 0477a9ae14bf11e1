"""Misuse (DSA Art. 23): repeat infringers are warned, then suspended; notifiers who keep sending manifestly
unfounded notices are throttled for a while. Every measure is audited and can be lifted by an admin."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from poise.actions.service import DecisionInput, decide
from poise.actions.vocabulary import RESTRICTIVE_OUTCOMES, AutomatedDecision, DecisionSource, Ground, Outcome
from poise.audit import record
from poise.cases.models import Appeal, MisuseMeasure, Notice
from poise.core.clock import utcnow
from poise.store.models import ContentItem, Decision, PlatformAccount

VIOLATION_WINDOW = timedelta(days=365)
UNFOUNDED_LIMIT = 3
UNFOUNDED_WINDOW = timedelta(days=90)
THROTTLE_FOR = timedelta(days=30)
SUSPENSION_FOR = timedelta(days=30)


def _active(session: Session, kind: str, subject: str) -> MisuseMeasure | None:
    now = utcnow()
    measures = session.execute(select(MisuseMeasure).where(
        MisuseMeasure.kind == kind, MisuseMeasure.subject == subject, MisuseMeasure.lifted_at.is_(None))
        .order_by(MisuseMeasure.created_at.desc())).scalars()
    return next((m for m in measures if m.until is None or m.until > now), None)


def throttled_until(session: Session, notifier: str) -> datetime | None:
    """Until when a notifier (e-mail or ``flagger:<id>``) may not send notices, or None."""
    measure = _active(session, "notifier_throttle", notifier)
    return measure.until if measure else None


def upheld_violations(session: Session, account_id: str) -> int:
    """Restrictive decisions on the account's content in the window, not reversed on appeal."""
    since = utcnow() - VIOLATION_WINDOW
    reversed_ids = select(Appeal.decision_id).where(Appeal.result == "reversed")
    return int(session.execute(
        select(func.count()).select_from(Decision).join(ContentItem, ContentItem.id == Decision.subject_id)
        .where(ContentItem.author_id == account_id, Decision.subject_type == "content",
               Decision.created_at >= since, Decision.outcome.in_([o.value for o in RESTRICTIVE_OUTCOMES]),
               Decision.id.not_in(reversed_ids))).scalar_one())


def check_repeat_infringer(session: Session, account_id: str, threshold: int, *, actor: str, actor_role: str) -> str:
    """Warn at ``threshold - 1`` upheld violations, suspend at ``threshold`` (after a warning). Returns
    ``none``, ``warned`` or ``suspended``."""
    account = session.get(PlatformAccount, account_id)
    if account is None or account.status in ("suspended", "terminated"):
        return "none"
    count = upheld_violations(session, account_id)
    warned = _active(session, "account_warning", account_id)
    if count >= threshold and warned is not None:
        result = decide(session, DecisionInput(
            subject_type="account", subject_id=account_id, outcome=Outcome.SUSPEND_ACCOUNT,
            source=DecisionSource.POLICY, actor=actor, actor_role=actor_role, ground=Ground.TERMS.value,
            category="other", policy="repeat infringer (DSA Art. 23(1))",
            explanation=f"{count} violations upheld within a year after a warning; suspended for "
                        f"{SUSPENSION_FOR.days} days.",
            automated_decision=AutomatedDecision.PARTIALLY, target_external_id=account.external_id,
            idempotency_key=f"misuse:suspend:{account_id}:{count}"))
        session.add(MisuseMeasure(kind="account_suspension", subject=account_id, violations=count,
                                  decision_id=result.decision.id, until=utcnow() + SUSPENSION_FOR))
        record(session, actor, actor_role, "misuse.account_suspended", "account", account_id, violations=count,
               decision_id=result.decision.id, days=SUSPENSION_FOR.days)
        return "suspended"
    if count >= threshold - 1 and warned is None:
        session.add(MisuseMeasure(kind="account_warning", subject=account_id, violations=count))
        record(session, actor, actor_role, "misuse.account_warned", "account", account_id, violations=count)
        return "warned"
    return "none"


def check_unfounded_notifier(session: Session, notifier: str, *, actor: str, actor_role: str) -> bool:
    """Throttle a notifier after repeated manifestly unfounded notices; True if throttled now."""
    if not notifier or throttled_until(session, notifier) is not None:
        return False
    since = utcnow() - UNFOUNDED_WINDOW
    column = Notice.flagger_id if notifier.startswith("flagger:") else func.lower(Notice.notifier_email)
    value = notifier.removeprefix("flagger:")
    count = int(session.execute(select(func.count()).select_from(Notice).where(
        column == value, Notice.manifestly_unfounded.is_(True), Notice.created_at >= since)).scalar_one())
    if count < UNFOUNDED_LIMIT:
        return False
    measure = MisuseMeasure(kind="notifier_throttle", subject=notifier, violations=count,
                            until=utcnow() + THROTTLE_FOR)
    session.add(measure)
    session.flush()
    record(session, actor, actor_role, "misuse.notifier_throttled", "misuse", measure.id, notifier_kind=(
        "trusted_flagger" if notifier.startswith("flagger:") else "user"), unfounded=count, days=THROTTLE_FOR.days)
    return True


def lift(session: Session, measure_id: str, *, actor: str, actor_role: str, reason: str) -> MisuseMeasure | None:
    """Lift a measure (review by an admin); the account is reinstated if it was suspended."""
    measure = session.get(MisuseMeasure, measure_id)
    if measure is None or measure.lifted_at is not None:
        return measure
    measure.lifted_at, measure.lifted_by = utcnow(), actor
    if measure.kind == "account_suspension":
        account = session.get(PlatformAccount, measure.subject)
        decide(session, DecisionInput(
            subject_type="account", subject_id=measure.subject, outcome=Outcome.RESTORE, source=DecisionSource.POLICY,
            actor=actor, actor_role=actor_role, ground=Ground.TERMS.value, explanation=f"Suspension lifted: {reason}",
            target_external_id=account.external_id if account else None,
            idempotency_key=f"misuse:lift:{measure.id}"))
    record(session, actor, actor_role, "misuse.lifted", "misuse", measure.id, kind=measure.kind, reason=reason)
    return measure
