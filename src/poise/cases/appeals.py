"""Internal complaints (DSA Art. 20): within six months, decided by someone other than the original
decider, reversing (the platform is told to restore) or upholding, with reasons."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from poise.actions.service import DecisionInput, decide
from poise.actions.vocabulary import RESTRICTIVE_OUTCOMES, DecisionSource, Outcome
from poise.audit import record
from poise.auth.principal import Principal
from poise.cases.models import Appeal, Notice
from poise.core.clock import utcnow
from poise.core.errors import Conflict, Forbidden, NotFound, Unprocessable
from poise.platform.service import SUBJECT_MODELS
from poise.store.models import Decision


def file_appeal(session: Session, decision_id: str, *, appellant: str, reason: str, notice: Notice | None,
                appeal_window: timedelta, actor: str, actor_role: str) -> Appeal:
    """Lodge a complaint against a decision (by the affected user, or by a notifier through its notice)."""
    decision = session.get(Decision, decision_id)
    if decision is None:
        raise NotFound(f"no decision {decision_id}")
    if decision.outcome == Outcome.RESTORE.value:
        raise Unprocessable("a restoration after an appeal cannot be appealed again", code="not_appealable")
    deadline = decision.created_at + appeal_window
    if utcnow() > deadline:
        raise Unprocessable(f"the time to appeal ended on {deadline.date().isoformat()} (six months, DSA Art. 20(1))",
                            code="appeal_window_closed")
    if len(reason.strip()) < 10:
        raise Unprocessable("say why the decision is wrong", code="reason_required")
    already = session.execute(select(Appeal).where(
        Appeal.decision_id == decision_id, Appeal.appellant == appellant,
        Appeal.notice_id == (notice.id if notice else None))).scalar_one_or_none()
    if already is not None:
        raise Conflict("this decision is already under appeal by you", code="appeal_exists")
    appeal = Appeal(decision_id=decision_id, case_id=decision.case_id, appellant=appellant, reason=reason,
                    notice_id=notice.id if notice else None)
    session.add(appeal)
    session.flush()
    record(session, actor, actor_role, "appeal.received", "appeal", appeal.id, appeal_id=appeal.id,
           decision_id=decision_id, category=decision.category, appellant=appellant)
    return appeal


def decide_appeal(session: Session, appeal_id: str, *, reverse: bool, reasons: str, by: Principal) -> Appeal:
    """Reverse or uphold; the reviewer must not be the one who made the decision (Art. 20(6))."""
    appeal = session.get(Appeal, appeal_id)
    if appeal is None:
        raise NotFound(f"no appeal {appeal_id}")
    if appeal.status != "open":
        raise Conflict("this appeal is already decided", code="appeal_decided")
    decision = session.get(Decision, appeal.decision_id)
    assert decision is not None
    if decision.decided_by == by.actor:
        raise Forbidden("an appeal is decided by someone other than the original decider (DSA Art. 20(6))",
                        code="same_reviewer")
    if len(reasons.strip()) < 10:
        raise Unprocessable("give the reasons for the outcome", code="reason_required")
    now = utcnow()
    if reverse and decision.outcome in {o.value for o in RESTRICTIVE_OUTCOMES}:
        entity = session.get(SUBJECT_MODELS[decision.subject_type], decision.subject_id) \
            if decision.subject_type in SUBJECT_MODELS else None
        restored = decide(session, DecisionInput(
            subject_type=decision.subject_type, subject_id=decision.subject_id, outcome=Outcome.RESTORE,
            source=DecisionSource.APPEAL, actor=by.actor, actor_role=by.role.value, ground=decision.ground,
            category=decision.category, explanation=f"Appeal upheld against decision {decision.id}: {reasons}",
            case_id=decision.case_id, idempotency_key=f"appeal:{appeal.id}",
            target_external_id=getattr(entity, "external_id", None)))
        appeal.restore_decision_id = restored.decision.id
    appeal.status, appeal.result, appeal.reasons = "decided", "reversed" if reverse else "upheld", reasons
    appeal.decided_by, appeal.decided_at = by.actor, now
    record(session, by.actor, by.role.value, "appeal.decided", "appeal", appeal.id, appeal_id=appeal.id,
           decision_id=decision.id, category=decision.category, result=appeal.result,
           handling_seconds=int((now - appeal.created_at).total_seconds()))
    return appeal
