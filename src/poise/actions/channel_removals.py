"""Which posts of which channel are currently removed: the index channel-level rules count from.

``decide_many`` records every restrictive decision on a post here (with the post's channel, category and
time) and drops the entry again when the post is restored, so "how many posts of this channel were removed
in the last 24 hours" is a range count on (channel, time) instead of a join over every post of the channel.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from poise.store.base import Base, UTCDateTime
from poise.store.db import insert_ignoring_conflicts
from poise.store.models import ContentItem

_CHUNK = 500


class ChannelRemoval(Base):
    """A post of a channel that a restrictive decision took down (until it is restored)."""

    __tablename__ = "channel_removals"
    __table_args__ = (Index("ix_channel_removals_window", "channel_id", "removed_at"),)

    channel_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    content_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    category: Mapped[str | None] = mapped_column(String(100))
    removed_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


def record_removals(session: Session, removed: Sequence[dict[str, Any]], restored: Iterable[str]) -> None:
    """Note removed posts (decision rows: subject_id, category, created_at) and forget restored ones."""
    restored = list(restored)
    for start in range(0, len(restored), _CHUNK):
        session.execute(delete(ChannelRemoval).where(ChannelRemoval.content_id.in_(restored[start:start + _CHUNK])))
    if not removed:
        return
    ids = list({r["subject_id"] for r in removed})
    channel_of: dict[str, str] = {}
    for start in range(0, len(ids), _CHUNK):
        channel_of.update((cid, ch) for cid, ch in session.execute(
            select(ContentItem.id, ContentItem.channel_id).where(ContentItem.id.in_(ids[start:start + _CHUNK])))
            if ch)
    rows = [{"channel_id": channel_of[r["subject_id"]], "content_id": r["subject_id"], "category": r.get("category"),
             "removed_at": r["created_at"]} for r in removed if r["subject_id"] in channel_of]
    if rows:
        insert_ignoring_conflicts(session, ChannelRemoval, rows)


def removals_since(session: Session, channels: Sequence[str], since: datetime,
                   categories: Sequence[str] | None = None) -> dict[str, int]:
    """Removed posts per channel since a time (optionally only some categories)."""
    counts: dict[str, int] = {}
    for start in range(0, len(channels), _CHUNK):
        stmt = (select(ChannelRemoval.channel_id, func.count()).where(
            ChannelRemoval.channel_id.in_(channels[start:start + _CHUNK]), ChannelRemoval.removed_at >= since)
            .group_by(ChannelRemoval.channel_id))
        if categories:
            stmt = stmt.where(ChannelRemoval.category.in_(categories))
        counts.update((str(channel), int(n)) for channel, n in session.execute(stmt).all())
    return counts
