"""Review: the queue, deciding cases (alone or in bulk), escalation to a senior moderator.

A decision goes through :func:`poise.actions.service.decide_many` (so the platform is told, the audit log
and the counters follow), closes the case, answers every notice, writes statements of reasons, feeds
confirmed child-abuse or terrorist media hashes into the banks (so re-uploads are blocked by screening),
and checks the author for repeat infringement.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import case as sql_case
from sqlalchemy import select
from sqlalchemy.orm import Session

from poise.actions.service import DecisionInput, decide_many
from poise.actions.vocabulary import RESTRICTIVE_OUTCOMES, DecisionSource, Ground, Outcome
from poise.audit import record
from poise.auth.principal import Principal
from poise.auth.roles import SENIOR_MODERATORS
from poise.cases.misuse import check_repeat_infringer, check_unfounded_notifier
from poise.cases.models import Notice
from poise.cases.reasons import write_statements
from poise.core.clock import utcnow
from poise.core.errors import Conflict, Forbidden, NotFound, Unprocessable
from poise.screening.banks import add_signal
from poise.store.models import Case, ContentItem, Decision, MediaItem

REVIEW_OUTCOMES = frozenset({Outcome.REMOVE, Outcome.DISABLE, Outcome.DEMOTE, Outcome.AGE_RESTRICT,
                             Outcome.GEO_RESTRICT, Outcome.SUSPEND_ACCOUNT, Outcome.BAN_CHANNEL, Outcome.NO_ACTION})
CONFIRMED_BANKS = {"csam": "csam-confirmed", "terrorism": "terror-confirmed"}


@dataclass
class ReviewDecision:
    """What a moderator decides about a case."""

    outcome: Outcome
    ground: Ground = Ground.ILLEGAL
    reference: str | None = None  # the law (illegal content) or the terms clause
    explanation: str | None = None
    category: str | None = None
    countries: list[str] = field(default_factory=list)
    manifestly_unfounded: bool = False


def queue(session: Session, *, include_escalated: bool, limit: int = 200) -> list[Case]:
    """Open cases, most urgent first: priority (lower first), then deadline (earliest first, none last)."""
    statuses = ("open", "escalated") if include_escalated else ("open",)
    no_deadline_last = sql_case((Case.due_at.is_(None), 1), else_=0)
    return list(session.execute(select(Case).where(Case.status.in_(statuses))
                                .order_by(Case.priority, no_deadline_last, Case.due_at, Case.created_at)
                                .limit(limit)).scalars())


def escalate(session: Session, case_id: str, by: Principal, note: str) -> Case:
    """Hand a case to senior moderators."""
    case = _open_case(session, case_id)
    case.status, case.assigned_to, case.updated_at = "escalated", "senior-moderator", utcnow()
    record(session, by.actor, by.role.value, "case.escalated", "case", case.id, note=note)
    return case


def _open_case(session: Session, case_id: str) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"no case {case_id}")
    if case.status not in ("open", "escalated"):
        raise Conflict(f"case {case_id} is already {case.status}", code="case_closed")
    return case


def decide_cases(session: Session, case_ids: list[str], choice: ReviewDecision, by: Principal, *,
                 repeat_threshold: int, appeal_window: timedelta) -> list[Decision]:
    """Decide one or many cases the same way (bulk action over a selection); returns the decisions."""
    if choice.outcome not in REVIEW_OUTCOMES:
        raise Unprocessable(f"a review decides one of {sorted(o.value for o in REVIEW_OUTCOMES)}",
                            code="bad_outcome")
    if choice.outcome is not Outcome.NO_ACTION and not choice.reference:
        raise Unprocessable("name the law (illegal content) or the terms clause the decision rests on",
                            code="reference_required")
    cases = [_open_case(session, cid) for cid in dict.fromkeys(case_ids)]
    if any(c.status == "escalated" for c in cases) and by.role not in SENIOR_MODERATORS:
        raise Forbidden("an escalated case is decided by a senior moderator", code="senior_required")
    inputs: list[DecisionInput] = []
    targets: list[tuple[Case, list[Notice], str, str]] = []
    for case in cases:
        notices = list(session.execute(select(Notice).where(Notice.case_id == case.id)
                                       .order_by(Notice.created_at)).scalars())
        subject_type, subject_id = _resolve_target(session, case, choice.outcome)
        source = (DecisionSource.TRUSTED_FLAGGER if any(n.notifier_type == "trusted_flagger" for n in notices)
                  else DecisionSource.USER_NOTICE if notices else DecisionSource.OWN_INITIATIVE)
        category = choice.category or case.category
        external = _external_id(session, subject_type, subject_id)
        inputs.append(DecisionInput(
            subject_type=subject_type, subject_id=subject_id, outcome=choice.outcome, source=source,
            actor=by.actor, actor_role=by.role.value,
            ground=None if choice.outcome is Outcome.NO_ACTION else choice.ground.value, category=category,
            legal_reference=choice.reference if choice.ground is Ground.ILLEGAL else None,
            policy=choice.reference if choice.ground is Ground.TERMS else None, explanation=choice.explanation,
            territorial_scope=choice.countries, case_id=case.id, idempotency_key=f"review:{case.id}",
            target_external_id=external))
        targets.append((case, notices, subject_type, subject_id))
    results = decide_many(session, inputs)
    now = utcnow()
    decisions: list[Decision] = []
    for (case, notices, _, _), result in zip(targets, results, strict=True):
        decision = result.decision
        decisions.append(decision)
        case.status, case.closed_at, case.updated_at = "closed", now, now
        for notice in notices:
            notice.status, notice.outcome, notice.answered_at = "decided", decision.outcome, now
            notice.manifestly_unfounded = choice.manifestly_unfounded
        handling = int((now - case.created_at).total_seconds())
        record(session, by.actor, by.role.value, "case.decided", "case", case.id, case_id=case.id,
               category=decision.category, outcome=decision.outcome, source=decision.source,
               handling_seconds=handling, decision_id=decision.id)
        restrictive = choice.outcome in RESTRICTIVE_OUTCOMES
        write_statements(session, decision, notices, appeal_window=appeal_window, affected_user=restrictive)
        if restrictive:
            _bank_confirmed_media(session, case, decision, by)
            author = _author(session, case)
            if author:
                check_repeat_infringer(session, author, repeat_threshold, actor=by.actor, actor_role=by.role.value)
        elif choice.manifestly_unfounded:
            for notice in notices:
                key = f"flagger:{notice.flagger_id}" if notice.flagger_id else (notice.notifier_email or "").lower()
                check_unfounded_notifier(session, key, actor=by.actor, actor_role=by.role.value)
    return decisions


def _resolve_target(session: Session, case: Case, outcome: Outcome) -> tuple[str, str]:
    if case.subject_type == "content" and outcome in (Outcome.SUSPEND_ACCOUNT, Outcome.BAN_CHANNEL):
        content = session.get(ContentItem, case.subject_id)
        target = (content.author_id if outcome is Outcome.SUSPEND_ACCOUNT else content.channel_id) if content else None
        if target is None:
            raise Unprocessable("the content has no known author or channel to act on", code="no_target")
        return ("account" if outcome is Outcome.SUSPEND_ACCOUNT else "channel"), target
    return case.subject_type, case.subject_id


def _external_id(session: Session, subject_type: str, subject_id: str) -> str | None:
    from poise.platform.service import SUBJECT_MODELS

    model = SUBJECT_MODELS.get(subject_type)
    entity = session.get(model, subject_id) if model is not None else None
    return getattr(entity, "external_id", None)


def _author(session: Session, case: Case) -> str | None:
    if case.subject_type != "content":
        return None
    content = session.get(ContentItem, case.subject_id)
    return content.author_id if content else None


def _bank_confirmed_media(session: Session, case: Case, decision: Decision, by: Principal) -> None:
    """Confirmed child-abuse or terrorist media: every hash into the bank, so re-uploads are caught."""
    bank = CONFIRMED_BANKS.get(decision.category or "")
    if bank is None or case.subject_type != "content":
        return
    for media in session.execute(select(MediaItem).where(MediaItem.content_id == case.subject_id)).scalars():
        for kind in ("pdq", "sha256", "md5"):
            value = getattr(media, kind)
            if value:
                add_signal(session, bank=bank, signal_type=kind, value=value, category=decision.category or "",
                           actor=by.actor, actor_role=by.role.value, source_ref=f"case:{case.id}")
