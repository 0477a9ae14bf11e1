"""Writing and verifying the hash chain.

Each entry's hash covers its sequence number, time, actor, action, subject, details and the previous
entry's hash, so editing, deleting or reordering any entry breaks every later link. The chain tip lives in
``audit_head``; appenders lock it (row lock on PostgreSQL, the write lock on SQLite), so the chain never
forks. The head hash can be published (the daily transparency report does) to anchor the chain's end.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from poise.audit.models import AuditEntry, AuditHead
from poise.core.clock import as_utc, utcnow
from poise.core.ids import new_id
from poise.store.db import core_table, insert_ignoring_conflicts

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class AuditRecord:
    """What one audit entry says: who did what to which subject, with details."""

    actor: str
    actor_role: str
    action: str
    subject_type: str | None = None
    subject_id: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


def canonical_json(value: Any) -> str:
    """Deterministic JSON: sorted keys, no spaces, UTF-8, non-JSON values as strings."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _format_ts(ts: datetime) -> str:
    return as_utc(ts).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def compute_hash(*, seq: int, entry_id: str, ts: datetime, actor: str, actor_role: str, action: str,
                 subject_type: str | None, subject_id: str | None, details: str, prev_hash: str) -> str:
    """The SHA-256 an entry must carry, given its fields and its predecessor's hash."""
    body = canonical_json([seq, entry_id, _format_ts(ts), actor, actor_role, action, subject_type,
                           subject_id, details, prev_hash])
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _lock_head(session: Session) -> AuditHead:
    """Lock and return the chain head, creating it on first use."""
    head = session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one_or_none()
    if head is None:
        insert_ignoring_conflicts(session, AuditHead.__table__, {"id": 1, "last_seq": 0, "last_hash": GENESIS_HASH})
        head = session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one()
    return head


def record_many(session: Session, records: Iterable[AuditRecord]) -> list[AuditEntry]:
    """Append records, in order, inside the caller's transaction (they commit or vanish with it)."""
    return [AuditEntry(**row) for row in append_records(session, records)]


def append_records(session: Session, records: Iterable[AuditRecord]) -> list[dict[str, Any]]:
    """:func:`record_many` for bulk writers: returns the rows written, without building ORM objects."""
    records = list(records)
    if not records:
        return []
    head = _lock_head(session)
    seq, prev = head.last_seq, head.last_hash
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for rec in records:
        seq += 1
        entry_id = new_id()
        details = canonical_json(rec.details)
        entry_hash = compute_hash(seq=seq, entry_id=entry_id, ts=now, actor=rec.actor, actor_role=rec.actor_role,
                                  action=rec.action, subject_type=rec.subject_type, subject_id=rec.subject_id,
                                  details=details, prev_hash=prev)
        rows.append(dict(seq=seq, id=entry_id, ts=now, actor=rec.actor, actor_role=rec.actor_role,
                         action=rec.action, subject_type=rec.subject_type, subject_id=rec.subject_id,
                         details=details, prev_hash=prev, entry_hash=entry_hash))
        prev = entry_hash
    session.execute(insert(core_table(AuditEntry)), rows)
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(last_seq=seq, last_hash=prev))
    head.last_seq, head.last_hash = seq, prev
    return rows


def record(session: Session, actor: str, actor_role: str, action: str, subject_type: str | None = None,
           subject_id: str | None = None, /, **details: Any) -> AuditEntry:
    """Append one entry inside the caller's transaction (positional fields, then details as keywords)."""
    return record_many(session, [AuditRecord(actor, actor_role, action, subject_type, subject_id, details)])[0]


@dataclass
class VerifyResult:
    """Outcome of a chain verification: ``ok`` or the first problem found."""

    ok: bool
    entries: int
    head_hash: str
    problem: str | None = None
    at_seq: int | None = None


def _iter_entries(session: Session, batch: int = 5000) -> Iterator[AuditEntry]:
    last = 0
    while True:
        rows = session.execute(
            select(AuditEntry).where(AuditEntry.seq > last).order_by(AuditEntry.seq).limit(batch)
        ).scalars().all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def verify_chain(session: Session, expect_head: str | None = None) -> VerifyResult:
    """Walk the whole chain; report the first edited, missing, reordered or forked entry.

    ``expect_head`` (for instance the hash published in a transparency report) also detects a truncated end.
    """
    prev, expected_seq, count = GENESIS_HASH, 1, 0
    seen_expected_head = expect_head is None
    for entry in _iter_entries(session):
        if entry.seq != expected_seq:
            return VerifyResult(False, count, prev, f"entry {expected_seq} is missing", expected_seq)
        if entry.prev_hash != prev:
            return VerifyResult(False, count, prev, f"entry {entry.seq} does not follow its predecessor",
                                entry.seq)
        recomputed = compute_hash(seq=entry.seq, entry_id=entry.id, ts=entry.ts, actor=entry.actor,
                                  actor_role=entry.actor_role, action=entry.action,
                                  subject_type=entry.subject_type, subject_id=entry.subject_id,
                                  details=entry.details, prev_hash=entry.prev_hash)
        if recomputed != entry.entry_hash:
            return VerifyResult(False, count, prev, f"entry {entry.seq} was altered", entry.seq)
        prev = entry.entry_hash
        if prev == expect_head:
            seen_expected_head = True
        expected_seq += 1
        count += 1
    head = session.get(AuditHead, 1)
    if head is not None and (head.last_seq != count or head.last_hash != prev):
        return VerifyResult(False, count, prev, "the chain head does not match the last entry (truncated?)",
                            count)
    if not seen_expected_head:
        return VerifyResult(False, count, prev, "the expected head hash is not in the chain (truncated?)")
    return VerifyResult(True, count, prev)
