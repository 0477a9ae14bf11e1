"""Tables of the cases context: notices, trusted flaggers, alerts, statements of reasons, appeals, misuse."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from poise.store.base import Base, JSONType, UTCDateTime, created_column, id_column


class TrustedFlagger(Base):
    """An organisation with trusted-flagger status (DSA Art. 22), e.g. an NGO hotline; acts with API keys."""

    __tablename__ = "trusted_flaggers"

    id: Mapped[str] = id_column()
    name: Mapped[str] = mapped_column(String(300), nullable=False, unique=True)
    country: Mapped[str | None] = mapped_column(String(8))
    expertise: Mapped[list[str]] = mapped_column(JSONType, default=list, nullable=False)
    contact_email: Mapped[str | None] = mapped_column(String(320))
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    created_at: Mapped[datetime] = created_column()


class Notice(Base):
    """One notice (DSA Art. 16) about one item; several notices about the same item share a case."""

    __tablename__ = "notices"

    id: Mapped[str] = id_column()
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True, nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    category: Mapped[str] = mapped_column(String(100), nullable=False)
    location: Mapped[str] = mapped_column(String(2000), nullable=False)
    subject_type: Mapped[str] = mapped_column(String(20), nullable=False)
    subject_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    explanation: Mapped[str] = mapped_column(Text, nullable=False)
    notifier_type: Mapped[str] = mapped_column(String(20), nullable=False)  # user | trusted_flagger
    notifier_name: Mapped[str | None] = mapped_column(String(300))
    notifier_email: Mapped[str | None] = mapped_column(String(320), index=True)
    flagger_id: Mapped[str | None] = mapped_column(ForeignKey("trusted_flaggers.id"), index=True)
    good_faith: Mapped[bool] = mapped_column(Boolean, nullable=False)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    status: Mapped[str] = mapped_column(String(20), default="received", nullable=False)
    outcome: Mapped[str | None] = mapped_column(String(40))
    manifestly_unfounded: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    created_at: Mapped[datetime] = created_column()
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Alert(Base):
    """Something a person must look at now (an urgent trusted-flagger notice, a deadline)."""

    __tablename__ = "alerts"

    id: Mapped[str] = id_column()
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id"), index=True)
    message: Mapped[str] = mapped_column(Text, nullable=False)
    acknowledged_by: Mapped[str | None] = mapped_column(String(200))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = created_column()


class StatementOfReasons(Base):
    """A statement of reasons (DSA Art. 17) for one decision, to the affected user or to a notifier."""

    __tablename__ = "statements_of_reasons"

    id: Mapped[str] = id_column()
    decision_id: Mapped[str] = mapped_column(ForeignKey("decisions.id"), index=True, nullable=False)
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id"), index=True)
    recipient: Mapped[str] = mapped_column(String(20), nullable=False)  # affected_user | notifier
    notice_id: Mapped[str | None] = mapped_column(ForeignKey("notices.id"), index=True)
    restriction: Mapped[str] = mapped_column(String(40), nullable=False)
    facts: Mapped[str] = mapped_column(Text, nullable=False)
    ground: Mapped[str] = mapped_column(String(40), nullable=False)
    legal_or_terms_reference: Mapped[str | None] = mapped_column(String(500))
    automated_detection: Mapped[bool] = mapped_column(Boolean, nullable=False)
    automated_decision: Mapped[str] = mapped_column(String(20), nullable=False)
    redress: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list, nullable=False)
    created_at: Mapped[datetime] = created_column()


class Appeal(Base):
    """An internal complaint (DSA Art. 20) against a decision, decided by someone other than the decider."""

    __tablename__ = "appeals"

    id: Mapped[str] = id_column()
    decision_id: Mapped[str] = mapped_column(ForeignKey("decisions.id"), index=True, nullable=False)
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id"), index=True)
    appellant: Mapped[str] = mapped_column(String(20), nullable=False)  # affected_user | notifier
    notice_id: Mapped[str | None] = mapped_column(ForeignKey("notices.id"))
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str] = mapped_column(String(20), default="open", nullable=False)
    result: Mapped[str | None] = mapped_column(String(20))  # reversed | upheld
    reasons: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    restore_decision_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = created_column()
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class MisuseMeasure(Base):
    """A measure against misuse (DSA Art. 23): a warning or suspension of an account, a notifier throttled."""

    __tablename__ = "misuse_measures"

    id: Mapped[str] = id_column()
    # account_warning | account_suspension | notifier_throttle
    kind: Mapped[str] = mapped_column(String(30), nullable=False)
    subject: Mapped[str] = mapped_column(String(320), nullable=False, index=True)  # account id or notifier e-mail
    violations: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    decision_id: Mapped[str | None] = mapped_column(String(36))
    until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lifted_by: Mapped[str | None] = mapped_column(String(200))
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = created_column()
