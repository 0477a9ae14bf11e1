"""Which platform events Poise has already taken in (the idempotency record)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from poise.store.base import Base, created_column


class IngestedEvent(Base):
    """One accepted event, by the platform's event id; a second copy of the same id is a duplicate."""

    __tablename__ = "ingested_events"

    event_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    type: Mapped[str] = mapped_column(String(40), nullable=False)
    subject_type: Mapped[str | None] = mapped_column(String(20))
    subject_id: Mapped[str | None] = mapped_column(String(36))
    received_at: Mapped[datetime] = created_column()
