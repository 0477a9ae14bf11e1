"""The daily report: removals by category, object and detection method, and authority requests.

Decision counts come from the daily counters that ``decide_many`` maintains as it writes decisions
(:mod:`poise.actions.rollup`), so a day with millions of decisions is a read of a few hundred rows.
Authority requests come from the audit log entries the authority context
writes ('authority_request.received' / 'authority_request.closed'); they are few, and parsed in Python.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from poise.actions.rollup import DecisionDailyCount
from poise.actions.vocabulary import RESTRICTIVE_OUTCOMES
from poise.audit.log import verify_chain
from poise.audit.models import AuditEntry, AuditHead

OBJECT_NAMES = {"content": "posts", "media": "posts", "channel": "channels", "account": "accounts"}
RESTRICTIVE = sorted(o.value for o in RESTRICTIVE_OUTCOMES)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC [start, end) of a calendar day."""
    start = datetime.combine(day, time.min, tzinfo=UTC)
    return start, start + timedelta(days=1)


def bucket(count: int, threshold: int) -> int | str:
    """A count as published: below the threshold (but above zero) it becomes ``"<threshold"``."""
    return f"<{threshold}" if 0 < count < threshold else count


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return round(values[0], 1)
    return round(statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1], 1)


def _removals(session: Session, day: date, threshold: int) -> dict[str, Any]:
    c = DecisionDailyCount
    stmt = (select(c.category, c.subject_type, c.source, func.sum(c.count))
            .where(c.day == day, c.outcome.in_(RESTRICTIVE)).group_by(c.category, c.subject_type, c.source))
    by_category: Counter[str] = Counter()
    by_object: Counter[str] = Counter()
    by_method: Counter[str] = Counter()
    total = 0
    for category, subject_type, source, count in session.execute(stmt):
        by_category[category] += count
        by_object[OBJECT_NAMES.get(subject_type, subject_type)] += count
        by_method[source] += count
        total += count
    return {
        "total": total,
        "by_object": {k: by_object.get(k, 0) for k in ("posts", "channels", "accounts")},
        "by_category": {k: bucket(v, threshold) for k, v in sorted(by_category.items())},
        "by_detection_method": dict(sorted(by_method.items())),
    }


def audit_details(session: Session, action: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """The parsed details of every audit entry of one action in [start, end)."""
    rows = session.execute(select(AuditEntry.details).where(
        AuditEntry.action == action, AuditEntry.ts >= start, AuditEntry.ts < end)).scalars()
    return [json.loads(r) for r in rows]


def _authority_requests(session: Session, start: datetime, end: datetime, threshold: int) -> dict[str, Any]:
    received = audit_details(session, "authority_request.received", start, end)
    closed = audit_details(session, "authority_request.closed", start, end)
    table: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for item in received:
        table[(item.get("country", "?"), item.get("request_type", "?"))]["received"] += 1
    principles: Counter[str] = Counter()
    hours: list[float] = []
    for item in closed:
        outcome = item.get("outcome", "unknown")
        table[(item.get("country", "?"), item.get("request_type", "?"))][outcome] += 1
        if outcome == "refused":
            principles.update(item.get("principles", []))
        if item.get("handling_seconds") is not None:
            hours.append(float(item["handling_seconds"]) / 3600)
    rows = [{"country": country, "request_type": rtype,
             **{k: bucket(counts.get(k, 0), threshold)
                for k in ("received", "complied", "partly_complied", "refused")}}
            for (country, rtype), counts in sorted(table.items())]
    totals = Counter[str]()
    for counts in table.values():
        totals.update(counts)
    return {"totals": {k: totals.get(k, 0) for k in ("received", "complied", "partly_complied", "refused")},
            "by_country_and_type": rows, "refusal_principles": dict(sorted(principles.items())),
            "handling_hours": {"median": _percentile(hours, 50), "p90": _percentile(hours, 90)}}


def _notice_handling(session: Session, start: datetime, end: datetime) -> dict[str, Any]:
    hours = [float(e["handling_seconds"]) / 3600 for e in audit_details(session, "case.decided", start, end)
             if e.get("handling_seconds") is not None]
    return {"cases_decided": len(hours), "median": _percentile(hours, 50), "p90": _percentile(hours, 90)}


def compute_daily_report(session: Session, day: date, small_count_threshold: int = 5) -> dict[str, Any]:
    """The report for ``day`` (UTC) as a JSON-ready dict. Counts only; small per-group counts bucketed."""
    start, end = day_bounds(day)
    head = session.get(AuditHead, 1)
    return {
        "report": "poise-daily-transparency",
        "date": day.isoformat(),
        "small_count_threshold": small_count_threshold,
        "removals": _removals(session, day, small_count_threshold),
        "authority_requests": _authority_requests(session, start, end, small_count_threshold),
        "notice_handling_hours": _notice_handling(session, start, end),
        "audit_chain_head": head.last_hash if head else None,
        "audit_chain_length": head.last_seq if head else 0,
    }


def audit_chain_ok(session: Session) -> bool:
    """Whether the audit chain verifies (a report is only published over an intact chain)."""
    return verify_chain(session).ok
