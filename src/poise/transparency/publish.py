"""Publishing reports immutably: each version stores its content and SHA-256; corrections add versions."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from poise.audit import record
from poise.core.clock import utcnow
from poise.core.errors import NotFound, PoiseError
from poise.transparency.daily import audit_chain_ok, compute_daily_report
from poise.transparency.models import PublishedReport


def canonical(content: dict[str, Any]) -> str:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def latest(session: Session, day: date) -> PublishedReport | None:
    """The newest published version for a day, or None."""
    return session.execute(select(PublishedReport).where(PublishedReport.report_date == day)
                           .order_by(PublishedReport.version.desc()).limit(1)).scalar_one_or_none()


def publish_daily(session: Session, day: date, *, threshold: int, actor: str = "system",
                  actor_role: str = "admin", reason: str | None = None) -> PublishedReport:
    """Publish the report for ``day``: a first version, or a correcting new version if the numbers changed.

    Publishing unchanged numbers again returns the existing version. Refuses over a broken audit chain.
    """
    if not audit_chain_ok(session):
        raise PoiseError("the audit chain does not verify; refusing to publish", code="audit_chain_broken",
                         status_code=409)
    content = compute_daily_report(session, day, threshold)
    previous = latest(session, day)
    if previous is not None:
        verify_report(previous)
        old = json.loads(previous.content)
        unchanged = {k: v for k, v in old.items() if not k.startswith("audit_chain")} == {
            k: v for k, v in content.items() if not k.startswith("audit_chain")}
        if unchanged:
            return previous
    text = canonical(content)
    report = PublishedReport(report_date=day, version=(previous.version + 1) if previous else 1, content=text,
                             content_hash=sha256(text), previous_id=previous.id if previous else None,
                             reason=reason or ("correction" if previous else None), published_at=utcnow())
    session.add(report)
    session.flush()
    record(session, actor, actor_role, "transparency.report_published", "published_report", report.id,
           date=day.isoformat(), version=report.version, content_hash=report.content_hash)
    return report


def verify_report(report: PublishedReport) -> None:
    """Raise if the stored content no longer matches the hash it was published with."""
    if sha256(report.content) != report.content_hash:
        raise PoiseError(f"published report {report.report_date} v{report.version} was altered after publication",
                         code="report_tampered", status_code=409)


def get_published(session: Session, day: date, version: int | None = None) -> PublishedReport:
    """A verified published version (newest if ``version`` is None); 404 if none."""
    stmt = select(PublishedReport).where(PublishedReport.report_date == day)
    if version is not None:
        stmt = stmt.where(PublishedReport.version == version)
    found = session.execute(stmt.order_by(PublishedReport.version.desc()).limit(1)).scalar_one_or_none()
    if found is None:
        raise NotFound(f"no published report for {day}", code="report_not_published")
    verify_report(found)
    return found


def list_published(session: Session, limit: int = 60) -> list[PublishedReport]:
    """Newest published versions first."""
    return list(session.execute(select(PublishedReport).order_by(
        PublishedReport.report_date.desc(), PublishedReport.version.desc()).limit(limit)).scalars())


def catch_up(session: Session, today: date, *, threshold: int, first_day: date | None = None) -> list[date]:
    """Publish every finished day not yet published, up to yesterday (the scheduler's one step).

    Starts the day after the newest published report, or at ``first_day`` (default: yesterday) when none is.
    Returns the days published.
    """
    from datetime import timedelta

    newest = session.execute(select(PublishedReport.report_date).order_by(
        PublishedReport.report_date.desc()).limit(1)).scalar_one_or_none()
    day = newest + timedelta(days=1) if newest else (first_day or today - timedelta(days=1))
    published: list[date] = []
    while day < today:
        publish_daily(session, day, threshold=threshold, reason="scheduled")
        published.append(day)
        day += timedelta(days=1)
    return published
