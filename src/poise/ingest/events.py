"""The content events a platform sends (HTTP batch now, NATS JetStream for scale-out).

One event = one thing that happened on the platform. ``event_id`` is the platform's unique id for it:
sending the same event twice has the effect of sending it once.
"""

from __future__ import annotations

import base64
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

HEX64 = r"^[0-9a-fA-F]{64}$"
HEX32 = r"^[0-9a-fA-F]{32}$"
MAX_MEDIA_BYTES = 8 * 1024 * 1024


class EventType(StrEnum):
    ACCOUNT_CREATED = "account.created"
    CHANNEL_CREATED = "channel.created"
    CHANNEL_RENAMED = "channel.renamed"
    POST_CREATED = "post.created"
    POST_EDITED = "post.edited"
    MEDIA_ATTACHED = "media.attached"


class MediaRef(BaseModel):
    """A media file: its bytes (base64, images are hashed by Poise) or precomputed hashes, or both."""

    model_config = ConfigDict(extra="forbid")

    media_id: str | None = Field(None, max_length=200)
    mime_type: str | None = Field(None, max_length=100)
    data_base64: str | None = Field(None, description="File bytes, base64 (at most 8 MiB decoded)")
    sha256: str | None = Field(None, pattern=HEX64)
    md5: str | None = Field(None, pattern=HEX32)
    pdq: str | None = Field(None, pattern=HEX64, description="PDQ hash, 64 hex digits")
    pdq_quality: int | None = Field(None, ge=0, le=100)

    @field_validator("data_base64")
    @classmethod
    def _size(cls, value: str | None) -> str | None:
        if value is not None and len(value) > (MAX_MEDIA_BYTES * 4) // 3 + 4:
            raise ValueError(f"media larger than {MAX_MEDIA_BYTES} bytes")
        return value

    @model_validator(mode="after")
    def _something(self) -> MediaRef:
        if not (self.data_base64 or self.sha256 or self.md5 or self.pdq):
            raise ValueError("media needs data_base64 or at least one hash (sha256, md5, pdq)")
        return self

    def raw_bytes(self) -> bytes | None:
        """The decoded bytes, or None; raises ValueError on bad base64."""
        if self.data_base64 is None:
            return None
        return base64.b64decode(self.data_base64, validate=True)


class ContentEvent(BaseModel):
    """One platform event. Which fields matter depends on ``type``."""

    model_config = ConfigDict(extra="forbid")

    event_id: str = Field(min_length=1, max_length=200)
    type: EventType
    occurred_at: datetime | None = None
    account_id: str | None = Field(None, max_length=200, description="Platform id of the acting account")
    channel_id: str | None = Field(None, max_length=200)
    post_id: str | None = Field(None, max_length=200)
    handle: str | None = Field(None, max_length=200)
    display_name: str | None = Field(None, max_length=500)
    country: str | None = Field(None, pattern=r"^[A-Z]{2}$")
    title: str | None = Field(None, max_length=500)
    channel_kind: str | None = Field(None, pattern=r"^(channel|group)$")
    is_public: bool = True
    text: str | None = Field(None, max_length=100_000)
    language: str | None = Field(None, max_length=8)
    media: list[MediaRef] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _required_fields(self) -> ContentEvent:
        need: dict[EventType, tuple[str, ...]] = {
            EventType.ACCOUNT_CREATED: ("account_id",),
            EventType.CHANNEL_CREATED: ("channel_id",),
            EventType.CHANNEL_RENAMED: ("channel_id", "title"),
            EventType.POST_CREATED: ("post_id",),
            EventType.POST_EDITED: ("post_id",),
            EventType.MEDIA_ATTACHED: ("post_id", "media"),
        }
        missing = [f for f in need[self.type] if not getattr(self, f)]
        if missing:
            raise ValueError(f"{self.type.value} needs {', '.join(missing)}")
        return self


RawEvent = Annotated[dict[str, Any], Field(description="A ContentEvent; validated one by one")]


class EventBatch(BaseModel):
    """A batch of events. Items are validated one by one: bad ones are rejected, good ones kept."""

    events: list[RawEvent] = Field(min_length=1)


class ItemResult(BaseModel):
    """What happened to one event of a batch."""

    index: int
    event_id: str | None
    status: str = Field(description="accepted | duplicate | rejected | queued (stream mode: stored for a worker)")
    reason: str | None = None
    subject_id: str | None = None
    decisions: list[str] = Field(default_factory=list)


class BatchResult(BaseModel):
    accepted: int
    duplicates: int
    rejected: int
    items: list[ItemResult]
