"""Tables of the authority context: registrations, requests, preservations and disclosures.

Authorities themselves, jurisdictions and legal instruments are core tables (:mod:`poise.store.models`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from poise.store.base import Base, JSONType, UTCDateTime, created_column, id_column


class AuthorityRegistration(Base):
    """An authority's application for an account; an admin verifies or rejects it."""

    __tablename__ = "authority_registrations"

    id: Mapped[str] = id_column()
    authority_id: Mapped[str] = mapped_column(ForeignKey("authorities.id"), index=True, nullable=False)
    contact_name: Mapped[str] = mapped_column(String(300), nullable=False)
    contact_email: Mapped[str] = mapped_column(String(320), nullable=False)
    justification: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="pending", nullable=False, index=True)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_column()


class AuthorityRequest(Base):
    """One order or request from a verified authority, its policy evaluation, deadline and outcome."""

    __tablename__ = "authority_requests"
    __table_args__ = (Index("ix_authority_requests_open", "status", "due_at"),)

    id: Mapped[str] = id_column()
    authority_id: Mapped[str] = mapped_column(ForeignKey("authorities.id"), index=True, nullable=False)
    country: Mapped[str] = mapped_column(String(8), index=True, nullable=False)
    request_type: Mapped[str] = mapped_column(String(60), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    reference: Mapped[str | None] = mapped_column(String(200))
    instrument_code: Mapped[str | None] = mapped_column(String(100))
    legal_basis: Mapped[str | None] = mapped_column(Text)
    issuer_type: Mapped[str] = mapped_column(String(40), nullable=False)
    judicial_authorisation: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict, nullable=False)
    category: Mapped[str | None] = mapped_column(String(100))
    action: Mapped[str | None] = mapped_column(String(20))
    data_categories: Mapped[list[str]] = mapped_column(JSONType, default=list, nullable=False)
    scope: Mapped[str] = mapped_column(String(20), default="targeted", nullable=False)
    targets: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list, nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    emergency: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    notify_user: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    notify_user_not_before: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(30), default="received", nullable=False)
    policy_outcome: Mapped[str | None] = mapped_column(String(20))
    policy_trace: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list, nullable=False)
    principles: Mapped[list[str]] = mapped_column(JSONType, default=list, nullable=False)
    allowed_categories: Mapped[list[str]] = mapped_column(JSONType, default=list, nullable=False)
    review_level: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    reviewed_by: Mapped[str | None] = mapped_column(String(200))
    review_note: Mapped[str | None] = mapped_column(Text)
    decision_ids: Mapped[list[str]] = mapped_column(JSONType, default=list, nullable=False)
    outcome: Mapped[str | None] = mapped_column(String(20))
    received_at: Mapped[datetime] = created_column()
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    pause_reason: Mapped[str | None] = mapped_column(String(40))
    escalation_level: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Preservation(Base):
    """A snapshot of removed or requested content kept for an authority until ``expires_at``."""

    __tablename__ = "authority_preservations"

    id: Mapped[str] = id_column()
    request_id: Mapped[str] = mapped_column(ForeignKey("authority_requests.id"), index=True, nullable=False)
    subject_type: Mapped[str] = mapped_column(String(20), nullable=False)
    subject_id: Mapped[str] = mapped_column(String(36), index=True, nullable=False)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict, nullable=False)
    legal_basis: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20), default="active", nullable=False)
    preserved_at: Mapped[datetime] = created_column()
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)


class Disclosure(Base):
    """A data package for one request: prepared by a legal officer, approved by another, then delivered."""

    __tablename__ = "authority_disclosures"

    id: Mapped[str] = id_column()
    request_id: Mapped[str] = mapped_column(ForeignKey("authority_requests.id"), index=True, nullable=False)
    status: Mapped[str] = mapped_column(String(20), default="prepared", nullable=False)
    categories: Mapped[list[str]] = mapped_column(JSONType, default=list, nullable=False)
    package: Mapped[str] = mapped_column(Text, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    prepared_by: Mapped[str] = mapped_column(String(200), nullable=False)
    prepared_at: Mapped[datetime] = created_column()
    approved_by: Mapped[str | None] = mapped_column(String(200))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rejected_reason: Mapped[str | None] = mapped_column(Text)
    read_count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
