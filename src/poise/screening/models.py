"""Banks of known-bad (or known-good, for negative banks) signals."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from poise.store.base import Base, JSONType, created_column, id_column


class Bank(Base):
    """A named collection of signals with a category, a source and an action policy.

    A negative bank (``is_negative``) holds known-good signals that suppress matches (false-positive guard).
    """

    __tablename__ = "banks"

    id: Mapped[str] = id_column()
    name: Mapped[str] = mapped_column(String(100), unique=True, nullable=False)
    category: Mapped[str] = mapped_column(String(100), nullable=False)
    source: Mapped[str] = mapped_column(String(200), default="local", nullable=False)
    action_policy: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict, nullable=False)
    is_negative: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    created_at: Mapped[datetime] = created_column()


class BankSignal(Base):
    """One signal in a bank: a type (pdq, sha256, md5, keyword, regex, url, domain) and its value."""

    __tablename__ = "bank_signals"
    __table_args__ = (UniqueConstraint("bank_id", "signal_type", "value"),)

    id: Mapped[str] = id_column()
    bank_id: Mapped[str] = mapped_column(ForeignKey("banks.id"), index=True, nullable=False)
    signal_type: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    value: Mapped[str] = mapped_column(String(2000), nullable=False)
    tags: Mapped[list[str]] = mapped_column(JSONType, default=list, nullable=False)
    status: Mapped[str] = mapped_column(String(20), default="active", nullable=False)
    added_by: Mapped[str] = mapped_column(String(200), nullable=False)
    source_ref: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = created_column()
