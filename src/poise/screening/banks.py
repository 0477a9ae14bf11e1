"""Adding to and reading banks. A confirmed item's hash goes in here so re-uploads are caught."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from poise.audit import record
from poise.core.errors import Unprocessable
from poise.screening.models import Bank, BankSignal

SIGNAL_TYPES = ("pdq", "sha256", "md5", "keyword", "regex", "url", "domain")


def get_or_create_bank(session: Session, name: str, *, category: str, source: str = "local",
                       action_policy: dict[str, Any] | None = None, is_negative: bool = False) -> Bank:
    """The bank called ``name``, created with these settings if it does not exist."""
    bank = session.execute(select(Bank).where(Bank.name == name)).scalar_one_or_none()
    if bank is None:
        bank = Bank(name=name, category=category, source=source, action_policy=action_policy or {},
                    is_negative=is_negative)
        session.add(bank)
        session.flush()
    return bank


def add_signal(session: Session, *, bank: str, signal_type: str, value: str, category: str, actor: str,
               actor_role: str, tags: list[str] | None = None, source_ref: str | None = None) -> BankSignal:
    """Add a signal to a bank (created on first use), idempotently; audited."""
    if signal_type not in SIGNAL_TYPES:
        raise Unprocessable(f"unknown signal type {signal_type!r}", code="unknown_signal_type")
    value = value.strip().lower() if signal_type in ("pdq", "sha256", "md5", "domain") else value
    target = get_or_create_bank(session, bank, category=category)
    existing = session.execute(select(BankSignal).where(
        BankSignal.bank_id == target.id, BankSignal.signal_type == signal_type, BankSignal.value == value,
    )).scalar_one_or_none()
    if existing is not None:
        return existing
    signal = BankSignal(bank_id=target.id, signal_type=signal_type, value=value, tags=tags or [],
                        added_by=actor, source_ref=source_ref)
    session.add(signal)
    session.flush()
    record(session, actor, actor_role, "bank.signal_added", "bank_signal", signal.id, bank=bank,
           signal_type=signal_type, value=value, source_ref=source_ref)
    return signal
