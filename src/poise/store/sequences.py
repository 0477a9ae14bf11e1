"""Gap-free named counters (e.g. the action feed's cursor), allocated under a row lock.

A transaction that takes numbers holds the lock until it commits, so numbers become visible in order:
a reader paging by sequence never skips a row committed late.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from poise.store.base import Base
from poise.store.db import insert_ignoring_conflicts


class Sequence(Base):
    """One named counter and its last value."""

    __tablename__ = "sequences"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), nullable=False)


def next_values(session: Session, name: str, count: int = 1) -> range:
    """Reserve ``count`` consecutive values of counter ``name`` (created at 0 on first use)."""
    current = session.execute(
        select(Sequence.value).where(Sequence.name == name).with_for_update()
    ).scalar_one_or_none()
    if current is None:
        insert_ignoring_conflicts(session, Sequence.__table__, {"name": name, "value": 0})
        current = session.execute(
            select(Sequence.value).where(Sequence.name == name).with_for_update()
        ).scalar_one()
    session.execute(update(Sequence).where(Sequence.name == name).values(value=current + count))
    return range(current + 1, current + count + 1)
