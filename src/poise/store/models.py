"""Core platform-domain tables: who and what the host platform has, where it operates, and what Poise decided.

Other contexts (screening, cases, authority, transparency...) add their own tables in their own
``models.py`` on the same :class:`~poise.store.base.Base`; :mod:`poise.store.registry` imports them all.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from poise.store.base import Base, JSONType, UTCDateTime, created_column, id_column


class SubjectType(enum.StrEnum):
    """What a case, decision or action is about."""

    CONTENT = "content"
    CHANNEL = "channel"
    ACCOUNT = "account"
    MEDIA = "media"
    COUNTRY = "country"


class PlatformAccount(Base):
    """A user account on the host platform (never its private messages)."""

    __tablename__ = "platform_accounts"

    id: Mapped[str] = id_column()
    external_id: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    handle: Mapped[str | None] = mapped_column(String(200), index=True)
    display_name: Mapped[str | None] = mapped_column(String(500))
    country: Mapped[str | None] = mapped_column(String(2), index=True)
    phone_hash: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default="active", nullable=False)
    created_at: Mapped[datetime] = created_column()
    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_ip: Mapped[str | None] = mapped_column(String(64))


class Channel(Base):
    """A public or private channel or group on the host platform."""

    __tablename__ = "channels"

    id: Mapped[str] = id_column()
    external_id: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    kind: Mapped[str] = mapped_column(String(20), default="channel", nullable=False)
    title: Mapped[str | None] = mapped_column(String(500))
    owner_id: Mapped[str | None] = mapped_column(ForeignKey("platform_accounts.id"), index=True)
    is_public: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    country: Mapped[str | None] = mapped_column(String(2), index=True)
    status: Mapped[str] = mapped_column(String(20), default="active", nullable=False)
    created_at: Mapped[datetime] = created_column()


class ContentItem(Base):
    """A post, message or comment the platform handed to Poise. End-to-end-encrypted content never is."""

    __tablename__ = "content_items"

    id: Mapped[str] = id_column()
    external_id: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    channel_id: Mapped[str | None] = mapped_column(ForeignKey("channels.id"), index=True)
    author_id: Mapped[str | None] = mapped_column(ForeignKey("platform_accounts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="post", nullable=False)
    text: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(8))
    is_public: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    status: Mapped[str] = mapped_column(String(20), default="visible", nullable=False)
    created_at: Mapped[datetime] = created_column()
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class MediaItem(Base):
    """A media file attached to a content item, known by its hashes (bytes are not kept)."""

    __tablename__ = "media_items"

    id: Mapped[str] = id_column()
    content_id: Mapped[str | None] = mapped_column(ForeignKey("content_items.id"), index=True)
    external_id: Mapped[str | None] = mapped_column(String(200), index=True)
    mime_type: Mapped[str | None] = mapped_column(String(100))
    size_bytes: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    md5: Mapped[str | None] = mapped_column(String(32), index=True)
    pdq: Mapped[str | None] = mapped_column(String(64), index=True)
    pdq_quality: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = created_column()


class Jurisdiction(Base):
    """A country (ISO 3166-1 alpha-2) or union ("EU") Poise operates in; configured data, not code."""

    __tablename__ = "jurisdictions"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    is_eu_member: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    rule_of_law_tier: Mapped[int] = mapped_column(Integer, default=2, nullable=False)
    service_status: Mapped[str] = mapped_column(String(20), default="active", nullable=False)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    point_of_contact: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict, nullable=False)
    notes: Mapped[str | None] = mapped_column(Text)


class Authority(Base):
    """A public authority that may send requests: tied to one jurisdiction and agency once verified."""

    __tablename__ = "authorities"

    id: Mapped[str] = id_column()
    jurisdiction_code: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"), index=True)
    name: Mapped[str] = mapped_column(String(300), nullable=False)
    agency: Mapped[str] = mapped_column(String(300), nullable=False)
    kind: Mapped[str] = mapped_column(String(40), default="law_enforcement", nullable=False)
    contact_email: Mapped[str | None] = mapped_column(String(320))
    verified: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verified_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = created_column()


class LegalInstrument(Base):
    """A law under which a jurisdiction's authorities may ask for something, and what it allows."""

    __tablename__ = "legal_instruments"
    __table_args__ = (UniqueConstraint("jurisdiction_code", "code"),)

    id: Mapped[str] = id_column()
    jurisdiction_code: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"), index=True)
    code: Mapped[str] = mapped_column(String(100), nullable=False)
    title: Mapped[str] = mapped_column(String(500), nullable=False)
    request_types: Mapped[list[str]] = mapped_column(JSONType, default=list, nullable=False)
    data_categories: Mapped[list[str]] = mapped_column(JSONType, default=list, nullable=False)
    requires_judicial_authorisation: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    deadline_hours: Mapped[int | None] = mapped_column(Integer)
    emergency_deadline_hours: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str | None] = mapped_column(Text)


class Case(Base):
    """A unit of review work about one subject: opened by a notice, a flagger, screening or an authority."""

    __tablename__ = "cases"
    __table_args__ = (Index("ix_cases_queue", "status", "priority", "due_at"),)

    id: Mapped[str] = id_column()
    subject_type: Mapped[str] = mapped_column(String(20), nullable=False)
    subject_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(20), default="open", nullable=False)
    priority: Mapped[int] = mapped_column(Integer, default=50, nullable=False)
    category: Mapped[str | None] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(40), default="notice", nullable=False)
    summary: Mapped[str | None] = mapped_column(Text)
    assigned_to: Mapped[str | None] = mapped_column(String(200))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = created_column()
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Decision(Base):
    """What Poise decided about a subject, why, and by what means. Immutable once written."""

    __tablename__ = "decisions"
    __table_args__ = (Index("ix_decisions_day", "created_at", "source", "category"),)

    id: Mapped[str] = id_column()
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id"), index=True)
    subject_type: Mapped[str] = mapped_column(String(20), nullable=False)
    subject_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    outcome: Mapped[str] = mapped_column(String(40), nullable=False)
    ground: Mapped[str | None] = mapped_column(String(40))
    legal_reference: Mapped[str | None] = mapped_column(String(500))
    category: Mapped[str | None] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(40), nullable=False)
    automated_detection: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    automated_decision: Mapped[str] = mapped_column(String(20), default="not_automated", nullable=False)
    policy: Mapped[str | None] = mapped_column(String(200))
    rule_id: Mapped[str | None] = mapped_column(String(200))
    signal: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict, nullable=False)
    territorial_scope: Mapped[list[str]] = mapped_column(JSONType, default=list, nullable=False)
    explanation: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(String(200), nullable=False)
    created_at: Mapped[datetime] = created_column()


class Action(Base):
    """An instruction for the platform (take down, ban, suspend, geo-restrict, withdraw, restore...)."""

    __tablename__ = "actions"

    id: Mapped[str] = id_column()
    seq: Mapped[int | None] = mapped_column(Integer, unique=True)
    decision_id: Mapped[str | None] = mapped_column(ForeignKey("decisions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    target_type: Mapped[str] = mapped_column(String(20), nullable=False)
    target_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    target_external_id: Mapped[str | None] = mapped_column(String(200))
    params: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict, nullable=False)
    status: Mapped[str] = mapped_column(String(20), default="pending", nullable=False)
    created_at: Mapped[datetime] = created_column()
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ApiKey(Base):
    """A hashed API key with exactly one role; the secret is shown once and never stored."""

    __tablename__ = "api_keys"

    id: Mapped[str] = id_column()
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    role: Mapped[str] = mapped_column(String(40), nullable=False)
    prefix: Mapped[str] = mapped_column(String(16), unique=True, nullable=False)
    secret_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    subject_id: Mapped[str | None] = mapped_column(String(36), index=True)
    created_at: Mapped[datetime] = created_column()
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
