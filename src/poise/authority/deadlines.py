"""Deadlines of authority requests: when each is due, pausing the clock, and escalating those running late.

A request's clock starts when it is received. A TCO order's hour pauses while a clarification or
force-majeure notice is pending (TCO Art. 3(7)-(8)): :func:`pause_clock` / :func:`resume_clock` move the
deadline by the time spent paused. :func:`escalate_due` (``poise authority deadlines``) raises every open
request that is near (level 1) or past (level 2) its deadline: audited, and an alert on ``poise.alerts``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from poise.audit import record
from poise.authority.models import AuthorityRequest
from poise.authority.vocabulary import OPEN_STATUSES, RequestType
from poise.core.clock import as_utc, utcnow
from poise.core.errors import Conflict

alerts = logging.getLogger("poise.alerts")
PAUSE_REASONS = ("clarification", "force_majeure")
WARN_FRACTION = 0.25
"""A request is 'approaching' its deadline when less than this share of its time window is left."""


def deadline_hours(spec: RequestType, instrument_hours: int | None, emergency_hours: int | None,
                   emergency: bool) -> int:
    """Hours to answer: the emergency deadline if it is one, else the instrument's, else the type's."""
    if emergency and (emergency_hours or spec.emergency_deadline_hours):
        return int(emergency_hours or spec.emergency_deadline_hours or spec.deadline_hours)
    return int(instrument_hours or spec.deadline_hours)


def due_at(received_at: datetime, hours: int) -> datetime:
    return as_utc(received_at) + timedelta(hours=hours)


def pause_clock(session: Session, req: AuthorityRequest, reason: str, actor: str, actor_role: str,
                note: str | None = None) -> None:
    """Stop the clock (a clarification or force-majeure notice was sent to the authority)."""
    if reason not in PAUSE_REASONS:
        raise Conflict(f"a clock pauses for {' or '.join(PAUSE_REASONS)}", code="invalid_pause_reason")
    if req.status not in OPEN_STATUSES:
        raise Conflict("the request is closed", code="request_closed")
    if req.paused_at is not None:
        raise Conflict("the clock is already paused", code="already_paused")
    req.paused_at, req.pause_reason = utcnow(), reason
    record(session, actor, actor_role, "authority_request.clock_paused", "authority_request", req.id,
           request_id=req.id, reason=reason, note=note)


def resume_clock(session: Session, req: AuthorityRequest, actor: str, actor_role: str) -> None:
    """Restart the clock; the deadline moves by the time spent paused."""
    if req.paused_at is None:
        raise Conflict("the clock is not paused", code="not_paused")
    paused_for = utcnow() - as_utc(req.paused_at)
    if req.due_at is not None:
        req.due_at = as_utc(req.due_at) + paused_for
    req.paused_at, req.pause_reason = None, None
    record(session, actor, actor_role, "authority_request.clock_resumed", "authority_request", req.id,
           request_id=req.id, paused_seconds=round(paused_for.total_seconds(), 3),
           due_at=req.due_at.isoformat() if req.due_at else None)


@dataclass(frozen=True)
class Escalation:
    """One request raised by :func:`escalate_due`."""

    request_id: str
    request_type: str
    country: str
    level: int
    due_at: datetime
    remaining_seconds: float


def level_for(received_at: datetime, due: datetime, now: datetime, warn_fraction: float = WARN_FRACTION) -> int:
    """0: on time; 1: less than ``warn_fraction`` of the window left; 2: overdue."""
    remaining = (as_utc(due) - now).total_seconds()
    if remaining <= 0:
        return 2
    window = max((as_utc(due) - as_utc(received_at)).total_seconds(), 1.0)
    return 1 if remaining <= warn_fraction * window else 0


def escalate_due(session: Session, now: datetime | None = None, warn_fraction: float = WARN_FRACTION,
                 actor: str = "system:deadlines", actor_role: str = "system") -> list[Escalation]:
    """Raise every open, running request whose deadline is near or past (each level once); audited."""
    now = now or utcnow()
    rows = session.execute(select(AuthorityRequest).where(
        AuthorityRequest.status.in_(OPEN_STATUSES), AuthorityRequest.due_at.is_not(None),
        AuthorityRequest.paused_at.is_(None)).order_by(AuthorityRequest.due_at)).scalars().all()
    raised: list[Escalation] = []
    for req in rows:
        assert req.due_at is not None
        level = level_for(req.received_at, req.due_at, now, warn_fraction)
        if level <= req.escalation_level:
            continue
        remaining = (as_utc(req.due_at) - now).total_seconds()
        req.escalation_level, req.escalated_at = level, now
        record(session, actor, actor_role, "authority_request.deadline_escalated", "authority_request", req.id,
               request_id=req.id, level=level, status=req.status, request_type=req.request_type,
               country=req.country, due_at=as_utc(req.due_at).isoformat(), remaining_seconds=round(remaining, 1))
        alerts.warning("authority request %s (%s from %s) is %s its deadline %s", req.id, req.request_type,
                       req.country, "past" if level == 2 else "approaching", as_utc(req.due_at).isoformat(),
                       extra={"request_id": req.id, "level": level})
        raised.append(Escalation(req.id, req.request_type, req.country, level, as_utc(req.due_at), remaining))
    return raised
