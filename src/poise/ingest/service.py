"""Taking in a batch of platform events: per-item validation, idempotency, entity upserts, screening.

``ingest_events`` is the one entry point for the HTTP API, the CLI and the stream workers. Screening is
plugged in as a :class:`Screener`, so the same ingest path serves every deployment.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import ValidationError
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from poise.ingest.events import BatchResult, ContentEvent, EventType, ItemResult, MediaRef
from poise.ingest.models import IngestedEvent
from poise.platform.service import upsert_account, upsert_channel, upsert_content
from poise.store.models import MediaItem


@dataclass
class IngestedItem:
    """An accepted event, with the entity it touched (for screening)."""

    index: int
    event: ContentEvent
    subject_type: str
    subject_id: str
    media: list[MediaItem] = field(default_factory=list)
    media_bytes: list[bytes | None] = field(default_factory=list)


class Screener(Protocol):
    """Screens newly ingested items and records decisions; returns decision ids per item index."""

    def screen(self, session: Session, items: Sequence[IngestedItem]) -> dict[int, list[str]]: ...


def _reason(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ()))
    return f"{where}: {first.get('msg')}" if where else str(first.get("msg"))


def _media_row(session: Session, content_id: str, ref: MediaRef) -> tuple[MediaItem, bytes | None]:
    data = ref.raw_bytes()
    sha256 = ref.sha256.lower() if ref.sha256 else None
    md5 = ref.md5.lower() if ref.md5 else None
    if data is not None:
        sha256 = sha256 or hashlib.sha256(data).hexdigest()
        md5 = md5 or hashlib.md5(data, usedforsecurity=False).hexdigest()
    item = MediaItem(content_id=content_id, external_id=ref.media_id, mime_type=ref.mime_type,
                     size_bytes=len(data) if data is not None else None, sha256=sha256, md5=md5,
                     pdq=ref.pdq.lower() if ref.pdq else None, pdq_quality=ref.pdq_quality)
    session.add(item)
    return item, data


def _apply(session: Session, index: int, ev: ContentEvent) -> IngestedItem:
    if ev.type is EventType.ACCOUNT_CREATED:
        assert ev.account_id
        acct = upsert_account(session, ev.account_id, handle=ev.handle, display_name=ev.display_name,
                              country=ev.country, registered_at=ev.occurred_at)
        return IngestedItem(index, ev, "account", acct.id)
    if ev.type in (EventType.CHANNEL_CREATED, EventType.CHANNEL_RENAMED):
        assert ev.channel_id
        if ev.account_id:
            upsert_account(session, ev.account_id)
        channel = upsert_channel(session, ev.channel_id, owner_external_id=ev.account_id, title=ev.title,
                                 kind=ev.channel_kind, is_public=ev.is_public, country=ev.country)
        return IngestedItem(index, ev, "channel", channel.id)
    assert ev.post_id
    if ev.account_id:
        upsert_account(session, ev.account_id)
    if ev.channel_id:
        upsert_channel(session, ev.channel_id)
    fields: dict[str, Any] = {"language": ev.language, "is_public": ev.is_public}
    if ev.type is not EventType.MEDIA_ATTACHED:
        fields["text"] = ev.text
    if ev.type is EventType.POST_CREATED:
        fields["published_at"] = ev.occurred_at
    elif ev.type is EventType.POST_EDITED:
        fields["edited_at"] = ev.occurred_at
    post = upsert_content(session, ev.post_id, channel_external_id=ev.channel_id,
                          author_external_id=ev.account_id, **fields)
    item = IngestedItem(index, ev, "content", post.id)
    for ref in ev.media:
        media, data = _media_row(session, post.id, ref)
        item.media.append(media)
        item.media_bytes.append(data)
    return item


def ingest_events(session: Session, raw_events: Sequence[dict[str, Any] | ContentEvent],
                  screener: Screener | None = None) -> BatchResult:
    """Validate, de-duplicate, store and screen a batch inside the caller's transaction.

    Bad items are rejected with a reason while the good ones are kept; an event id seen before (in an
    earlier batch or earlier in this one) is reported as a duplicate and has no further effect.
    """
    results: list[ItemResult] = []
    valid: list[tuple[int, ContentEvent]] = []
    for index, raw in enumerate(raw_events):
        if isinstance(raw, ContentEvent):
            valid.append((index, raw))
            continue
        event_id = raw.get("event_id") if isinstance(raw, dict) else None
        try:
            ev = ContentEvent.model_validate(raw)
            for ref in ev.media:
                ref.raw_bytes()
        except ValidationError as exc:
            results.append(ItemResult(index=index, event_id=str(event_id) if event_id else None,
                                      status="rejected", reason=_reason(exc)))
            continue
        except ValueError as exc:
            results.append(ItemResult(index=index, event_id=str(event_id), status="rejected",
                                      reason=f"media.data_base64: {exc}"))
            continue
        valid.append((index, ev))

    ids = list({ev.event_id for _, ev in valid})
    seen: set[str] = set()
    for start in range(0, len(ids), 500):
        seen.update(session.execute(select(IngestedEvent.event_id).where(
            IngestedEvent.event_id.in_(ids[start:start + 500]))).scalars())

    accepted: list[IngestedItem] = []
    for index, ev in valid:
        if ev.event_id in seen:
            results.append(ItemResult(index=index, event_id=ev.event_id, status="duplicate"))
            continue
        seen.add(ev.event_id)
        try:
            with session.begin_nested():
                item = _apply(session, index, ev)
        except Exception as exc:  # a domain problem with one item must not sink the batch
            from poise.core.errors import PoiseError

            if not isinstance(exc, PoiseError):
                raise
            results.append(ItemResult(index=index, event_id=ev.event_id, status="rejected", reason=exc.message))
            continue
        accepted.append(item)
    if accepted:
        session.flush()
        session.execute(insert(IngestedEvent), [
            {"event_id": i.event.event_id, "type": i.event.type.value, "subject_type": i.subject_type,
             "subject_id": i.subject_id} for i in accepted])
    decisions = screener.screen(session, accepted) if (screener and accepted) else {}
    for item in accepted:
        results.append(ItemResult(index=item.index, event_id=item.event.event_id, status="accepted",
                                  subject_id=item.subject_id, decisions=decisions.get(item.index, [])))
    results.sort(key=lambda r: r.index)
    return BatchResult(accepted=len(accepted), duplicates=sum(r.status == "duplicate" for r in results),
                       rejected=sum(r.status == "rejected" for r in results), items=results)
