"""Published reports: immutable once written; a correction is a new version linked to the previous one."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from poise.store.base import Base, UTCDateTime, id_column


class PublishedReport(Base):
    """One published version of a daily report; ``content_hash`` is the SHA-256 of ``content``."""

    __tablename__ = "published_reports"
    __table_args__ = (UniqueConstraint("report_date", "version"),)

    id: Mapped[str] = id_column()
    report_date: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    content: Mapped[str] = mapped_column(Text, nullable=False)
    content_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    previous_id: Mapped[str | None] = mapped_column(ForeignKey("published_reports.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
