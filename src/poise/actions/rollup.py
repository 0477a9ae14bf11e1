"""Daily decision counters, maintained as decisions are written, so reports never scan millions of rows.

``decide_many`` calls :func:`add_decisions` inside the same transaction (decision writers are already
serialised by the audit lock, so the upserts add no contention). :func:`rebuild_day` recomputes a day
from the decisions table (backfill, or a check that the counters are right).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import Date, Integer, String, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from poise.store.base import Base
from poise.store.models import Decision

Key = tuple[date, str, str, str, str, str]


class DecisionDailyCount(Base):
    """How many decisions of one kind were taken on one UTC day."""

    __tablename__ = "decision_daily_counts"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    category: Mapped[str] = mapped_column(String(100), primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(20), primary_key=True)
    source: Mapped[str] = mapped_column(String(40), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(40), primary_key=True)
    ground: Mapped[str] = mapped_column(String(40), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, nullable=False)


def _upsert(session: Session, counts: Counter[Key]) -> None:
    if not counts:
        return
    rows = [dict(day=k[0], category=k[1], subject_type=k[2], source=k[3], outcome=k[4], ground=k[5], count=n)
            for k, n in counts.items()]
    table: Any = DecisionDailyCount.__table__
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert  # type: ignore[assignment]
    stmt = dialect_insert(table).values(rows)
    stmt = stmt.on_conflict_do_update(index_elements=["day", "category", "subject_type", "source", "outcome",
                                                      "ground"],
                                      set_={"count": table.c.count + stmt.excluded.count})
    session.execute(stmt)


def add_decisions(session: Session, rows: Iterable[dict[str, Any]]) -> None:
    """Count freshly inserted decision rows (dicts with created_at, category, subject_type, source, outcome,
    ground)."""
    counts: Counter[Key] = Counter()
    for r in rows:
        counts[(r["created_at"].date(), r.get("category") or "not_specified", r["subject_type"], r["source"],
                r["outcome"], r.get("ground") or "none")] += 1
    _upsert(session, counts)


def rebuild_day(session: Session, day: date, start: Any, end: Any) -> None:
    """Recompute one day's counters from the decisions table ([start, end) are the day's UTC bounds)."""
    session.execute(delete(DecisionDailyCount).where(DecisionDailyCount.day == day))
    stmt = (select(Decision.category, Decision.subject_type, Decision.source, Decision.outcome, Decision.ground,
                   func.count())
            .where(Decision.created_at >= start, Decision.created_at < end)
            .group_by(Decision.category, Decision.subject_type, Decision.source, Decision.outcome, Decision.ground))
    counts: Counter[Key] = Counter()
    for category, subject_type, source, outcome, ground, n in session.execute(stmt):
        counts[(day, category or "not_specified", subject_type, source, outcome, ground or "none")] += n
    _upsert(session, counts)
