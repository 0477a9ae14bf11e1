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

from poise.core.clock import utcnow
from poise.core.errors import Unprocessable
from poise.core.ids import new_id
from poise.ingest.events import BatchResult, ContentEvent, EventType, ItemResult, MediaRef
from poise.ingest.models import IngestedEvent
from poise.observability.metrics import INGESTED_EVENTS
from poise.platform.bulk import upsert_many
from poise.screening.media import is_image, pdq_from_bytes
from poise.store.db import core_table
from poise.store.models import Channel, ContentItem, MediaItem, PlatformAccount


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


def _media_row(content_id: str, ref: MediaRef) -> tuple[dict[str, Any], bytes | None]:
    """The media row for a reference: digests of the bytes if sent, and a PDQ hash for images."""
    data = ref.raw_bytes()
    sha256 = ref.sha256.lower() if ref.sha256 else None
    md5 = ref.md5.lower() if ref.md5 else None
    pdq = ref.pdq.lower() if ref.pdq else None
    quality = ref.pdq_quality
    if data is not None:
        sha256 = sha256 or hashlib.sha256(data).hexdigest()
        md5 = md5 or hashlib.md5(data, usedforsecurity=False).hexdigest()
        if pdq is None and is_image(ref.mime_type, data):
            try:
                computed = pdq_from_bytes(data)
                pdq, quality = computed.hex, computed.quality
            except Unprocessable:
                pass  # bytes that do not decode as an image keep their exact digests only
    row = dict(id=new_id(), content_id=content_id, external_id=ref.media_id, mime_type=ref.mime_type,
               size_bytes=len(data) if data is not None else None, sha256=sha256, md5=md5, pdq=pdq,
               pdq_quality=quality, created_at=utcnow())
    return row, data


_ACCOUNT_FIELDS = ("handle", "display_name", "country")


def _entity_changes(events: Sequence[ContentEvent]) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]],
                                                             dict[str, dict[str, Any]]]:
    """What a batch says about accounts, channels and posts, merged in event order (later wins)."""
    accounts: dict[str, dict[str, Any]] = {}
    channels: dict[str, dict[str, Any]] = {}
    posts: dict[str, dict[str, Any]] = {}
    for ev in events:
        if ev.account_id:
            fields = accounts.setdefault(ev.account_id, {})
            if ev.type is EventType.ACCOUNT_CREATED:
                fields.update({k: getattr(ev, k) for k in _ACCOUNT_FIELDS}, registered_at=ev.occurred_at)
        if ev.channel_id:
            fields = channels.setdefault(ev.channel_id, {})
            if ev.type in (EventType.CHANNEL_CREATED, EventType.CHANNEL_RENAMED):
                fields.update(title=ev.title, kind=ev.channel_kind, is_public=ev.is_public, country=ev.country,
                              owner_external_id=ev.account_id)
        if ev.post_id:
            fields = posts.setdefault(ev.post_id, {})
            fields.update(language=ev.language, is_public=ev.is_public, channel_external_id=ev.channel_id,
                          author_external_id=ev.account_id)
            if ev.type is not EventType.MEDIA_ATTACHED:
                fields["text"] = ev.text
            if ev.type is EventType.POST_CREATED:
                fields["published_at"] = ev.occurred_at
            elif ev.type is EventType.POST_EDITED:
                fields["edited_at"] = ev.occurred_at
    return accounts, channels, posts


def _apply_all(session: Session, accepted: list[tuple[int, ContentEvent]]) -> list[IngestedItem]:
    """Write every entity the accepted events touch, in a few set-based statements, and their media."""
    accounts, channels, posts = _entity_changes([ev for _, ev in accepted])
    account_ids = upsert_many(session, PlatformAccount, accounts)
    for fields in channels.values():
        owner = fields.pop("owner_external_id", None)
        fields["owner_id"] = account_ids.get(owner) if owner else None
    channel_ids = upsert_many(session, Channel, channels)
    for fields in posts.values():
        channel, author = fields.pop("channel_external_id", None), fields.pop("author_external_id", None)
        fields["channel_id"] = channel_ids.get(channel) if channel else None
        fields["author_id"] = account_ids.get(author) if author else None
    post_ids = upsert_many(session, ContentItem, posts)
    items: list[IngestedItem] = []
    media_rows: list[dict[str, Any]] = []
    for index, ev in accepted:
        if ev.type is EventType.ACCOUNT_CREATED:
            assert ev.account_id
            items.append(IngestedItem(index, ev, "account", account_ids[ev.account_id]))
        elif ev.type in (EventType.CHANNEL_CREATED, EventType.CHANNEL_RENAMED):
            assert ev.channel_id
            items.append(IngestedItem(index, ev, "channel", channel_ids[ev.channel_id]))
        else:
            assert ev.post_id
            item = IngestedItem(index, ev, "content", post_ids[ev.post_id])
            for ref in ev.media:
                row, data = _media_row(item.subject_id, ref)
                media_rows.append(row)
                item.media.append(MediaItem(**row))
                item.media_bytes.append(data)
            items.append(item)
    if media_rows:
        session.execute(insert(core_table(MediaItem)), media_rows)
    return items


def validate_events(raw_events: Sequence[dict[str, Any] | ContentEvent],
                    ) -> tuple[list[tuple[int, ContentEvent]], list[ItemResult]]:
    """Validate each event on its own: (index, event) for the good ones, a rejection with a reason for the rest."""
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
    return valid, results


def hash_media_for_transport(event: ContentEvent) -> dict[str, Any]:
    """The event as JSON with media bytes replaced by their digests and PDQ hash (for the event stream)."""
    media: list[dict[str, Any]] = []
    for ref in event.media:
        row, _ = _media_row("", ref)
        media.append({"media_id": ref.media_id, "mime_type": ref.mime_type, "sha256": row["sha256"],
                      "md5": row["md5"], "pdq": row["pdq"], "pdq_quality": row["pdq_quality"]})
    data = event.model_dump(mode="json", exclude_none=True)
    data["media"] = [{k: v for k, v in m.items() if v is not None} for m in media]
    return data


def ingest_events(session: Session, raw_events: Sequence[dict[str, Any] | ContentEvent],
                  screener: Screener | None = None) -> BatchResult:
    """Validate, de-duplicate, store and screen a batch inside the caller's transaction.

    Bad items are rejected with a reason while the good ones are kept; an event id seen before (in an
    earlier batch or earlier in this one) is reported as a duplicate and has no further effect.
    """
    valid, results = validate_events(raw_events)
    ids = list({ev.event_id for _, ev in valid})
    seen: set[str] = set()
    for start in range(0, len(ids), 500):
        seen.update(session.execute(select(IngestedEvent.event_id).where(
            IngestedEvent.event_id.in_(ids[start:start + 500]))).scalars())

    fresh: list[tuple[int, ContentEvent]] = []
    for index, ev in valid:
        if ev.event_id in seen:
            results.append(ItemResult(index=index, event_id=ev.event_id, status="duplicate"))
            continue
        seen.add(ev.event_id)
        fresh.append((index, ev))
    accepted = _apply_all(session, fresh) if fresh else []
    if accepted:
        session.execute(insert(core_table(IngestedEvent)), [
            {"event_id": i.event.event_id, "type": i.event.type.value, "subject_type": i.subject_type,
             "subject_id": i.subject_id} for i in accepted])
    decisions = screener.screen(session, accepted) if (screener and accepted) else {}
    for item in accepted:
        results.append(ItemResult(index=item.index, event_id=item.event.event_id, status="accepted",
                                  subject_id=item.subject_id, decisions=decisions.get(item.index, [])))
    results.sort(key=lambda r: r.index)
    batch = BatchResult(accepted=len(accepted), duplicates=sum(r.status == "duplicate" for r in results),
                        rejected=sum(r.status == "rejected" for r in results), items=results)
    for result, count in (("accepted", batch.accepted), ("duplicate", batch.duplicates),
                          ("rejected", batch.rejected)):
        if count:
            INGESTED_EVENTS.labels(result).inc(count)
    return batch
