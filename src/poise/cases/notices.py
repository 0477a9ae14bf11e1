"""Notice intake (DSA Art. 16) and trusted-flagger priority (Art. 22).

A notice names one item (the platform's id of a post, or its URL), says why it is illegal or against the
terms, carries the notifier's name and e-mail (not required for child sexual abuse material, Art. 16(2)(c))
and a good-faith statement. Notices about the same item merge into the item's open case; each notice is
kept and answered on its own, through a secret tracking token. Trusted flaggers' notices get the priority
and deadline their category's SLA gives (``data/notice_sla.yaml``); an urgent one raises an alert.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from importlib import resources
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from poise.audit import record
from poise.cases.misuse import throttled_until
from poise.cases.models import Alert, Notice, TrustedFlagger
from poise.core.clock import utcnow
from poise.core.errors import PoiseError, Unprocessable
from poise.platform.service import by_external_id, upsert_content
from poise.store.models import Case, ContentItem
from poise.taxonomy import CATEGORIES

NAME_AND_EMAIL_EXEMPT = frozenset({"csam"})
_URL_ID = re.compile(r"^https?://[^/]+/(?:.*/)?(?P<id>[A-Za-z0-9_.:-]+)/?(?:[?#].*)?$")


@dataclass(frozen=True)
class NoticeInput:
    """What a notifier sends (validated by the API schema; checked again here)."""

    category: str
    location: str
    explanation: str
    good_faith: bool
    notifier_name: str | None = None
    notifier_email: str | None = None
    urgent: bool = False


@dataclass(frozen=True)
class Submitted:
    """The stored notice, its case and the tracking token (shown once to the notifier)."""

    notice: Notice
    case: Case
    token: str
    merged: bool


@cache
def sla_table() -> dict[str, Any]:
    """Priorities and deadlines by notifier type and category."""
    text = resources.files("poise.data").joinpath("notice_sla.yaml").read_text(encoding="utf-8")
    return dict(yaml.safe_load(text))


def sla_for(notifier_type: str, category: str, urgent: bool) -> tuple[int, int]:
    """(priority, minutes to decide) for a notice."""
    if urgent and notifier_type == "trusted_flagger":
        entry = sla_table()["urgent_flag"]
    else:
        table = sla_table()[notifier_type]
        entry = table.get(category, table["default"])
    return int(entry["priority"]), int(entry["minutes"])


def token_hash(token: str) -> str:
    """How a tracking token is stored (never in clear)."""
    return hashlib.sha256(token.encode()).hexdigest()


def content_external_id(location: str) -> str:
    """The platform id a location names: the id itself, or the last path segment of the item's URL."""
    location = location.strip()
    match = _URL_ID.match(location)
    return match.group("id") if match else location


def _check(inp: NoticeInput, notifier_type: str) -> None:
    if inp.category not in CATEGORIES:
        raise Unprocessable(f"unknown category {inp.category!r}", code="unknown_category")
    if not inp.good_faith:
        raise Unprocessable("a notice needs the statement that it is made in good faith (DSA Art. 16(2)(d))",
                            code="good_faith_required")
    if len(inp.explanation.strip()) < 10:
        raise Unprocessable("explain why the content is illegal or against the terms (DSA Art. 16(2)(a))",
                            code="explanation_required")
    if notifier_type == "user" and inp.category not in NAME_AND_EMAIL_EXEMPT and not (
            inp.notifier_name and inp.notifier_email):
        raise Unprocessable("name and e-mail are required, except for notices about child sexual abuse "
                            "material (DSA Art. 16(2)(c))", code="notifier_identity_required")


def submit_notice(session: Session, inp: NoticeInput, *, flagger: TrustedFlagger | None, actor: str,
                  actor_role: str) -> Submitted:
    """Store a notice, merge it into the item's open case (or open one), audit it, alert if urgent."""
    notifier_type = "trusted_flagger" if flagger is not None else "user"
    _check(inp, notifier_type)
    throttle_key = f"flagger:{flagger.id}" if flagger else (inp.notifier_email or "").lower()
    until = throttled_until(session, throttle_key) if throttle_key else None
    if until is not None:
        raise PoiseError(f"notices from this notifier are suspended until {until.isoformat()} after repeated "
                         "manifestly unfounded notices (DSA Art. 23(2)); the measure can be contested",
                         code="notifier_throttled", status_code=429)
    external_id = content_external_id(inp.location)
    content = by_external_id(session, ContentItem, external_id) or upsert_content(session, external_id)
    priority, minutes = sla_for(notifier_type, inp.category, inp.urgent)
    now = utcnow()
    due = now + timedelta(minutes=minutes)
    case = session.execute(select(Case).where(
        Case.subject_type == "content", Case.subject_id == content.id,
        Case.status.in_(("open", "escalated"))).order_by(Case.created_at).limit(1)).scalar_one_or_none()
    merged = case is not None
    if case is None:
        case = Case(subject_type="content", subject_id=content.id, status="open", priority=priority,
                    category=inp.category, source=notifier_type, summary=inp.explanation[:500], due_at=due)
        session.add(case)
        session.flush()
    else:
        case.priority = min(case.priority, priority)
        case.due_at = min(case.due_at, due) if case.due_at else due
        if notifier_type == "trusted_flagger":
            case.source = "trusted_flagger"
        case.updated_at = now
    token = secrets.token_urlsafe(24)
    notice = Notice(case_id=case.id, token_hash=token_hash(token), category=inp.category, location=inp.location,
                    subject_type="content", subject_id=content.id, explanation=inp.explanation,
                    notifier_type=notifier_type, notifier_name=inp.notifier_name,
                    notifier_email=(inp.notifier_email or None), flagger_id=flagger.id if flagger else None,
                    good_faith=inp.good_faith, urgent=inp.urgent)
    session.add(notice)
    session.flush()
    record(session, actor, actor_role, "notice.received", "notice", notice.id, case_id=case.id,
           category=inp.category, notifier_type=notifier_type, notice_id=notice.id, merged=merged,
           urgent=inp.urgent)
    if inp.urgent or (flagger is not None and CATEGORIES[inp.category].urgent):
        alert = Alert(kind="urgent_notice", case_id=case.id,
                      message=f"{'Urgent ' if inp.urgent else ''}{CATEGORIES[inp.category].label} notice from "
                              f"{flagger.name if flagger else 'a user'}: decide by {due.isoformat()}")
        session.add(alert)
        session.flush()
        record(session, actor, actor_role, "alert.raised", "alert", alert.id, case_id=case.id,
               kind=alert.kind)
    return Submitted(notice, case, token, merged)


def notice_by_token(session: Session, notice_id: str, token: str) -> Notice | None:
    """The notice if the token is its tracking token (constant-time comparison)."""
    notice = session.get(Notice, notice_id)
    if notice is None or not secrets.compare_digest(notice.token_hash, token_hash(token)):
        return None
    return notice
