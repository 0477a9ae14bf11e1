"""The audit log is a hash chain: any edited, deleted, reordered or truncated entry is detected."""

from __future__ import annotations

import threading

from sqlalchemy import delete, select, text, update

from poise.audit import AuditRecord, record, record_many, verify_chain
from poise.audit.models import AuditEntry
from poise.store.db import Database


def _fill(db: Database, n: int = 6) -> str:
    with db.session() as s:
        for i in range(n):
            record(s, "key:test", "moderator", "read.content_items", "content", f"c{i}", purpose="test", n=i)
    with db.read_session() as s:
        result = verify_chain(s)
    assert result.ok and result.entries == n
    return result.head_hash


def test_intact_chain_verifies(any_db: Database) -> None:
    head = _fill(any_db)
    with any_db.read_session() as s:
        assert verify_chain(s, expect_head=head).ok


def test_edited_details_detected(any_db: Database) -> None:
    _fill(any_db)
    with any_db.session() as s:
        s.execute(update(AuditEntry).where(AuditEntry.seq == 3).values(details='{"n":99}'))
    with any_db.read_session() as s:
        result = verify_chain(s)
    assert not result.ok and result.at_seq == 3 and "altered" in (result.problem or "")


def test_edited_actor_with_recomputed_hash_breaks_next_link(any_db: Database) -> None:
    _fill(any_db)
    from poise.audit.log import compute_hash

    with any_db.session() as s:
        e = s.execute(select(AuditEntry).where(AuditEntry.seq == 2)).scalar_one()
        forged = compute_hash(seq=e.seq, entry_id=e.id, ts=e.ts, actor="key:someone-else", actor_role=e.actor_role,
                              action=e.action, subject_type=e.subject_type, subject_id=e.subject_id,
                              details=e.details, prev_hash=e.prev_hash)
        e.actor, e.entry_hash = "key:someone-else", forged
    with any_db.read_session() as s:
        result = verify_chain(s)
    assert not result.ok and result.at_seq == 3


def test_deleted_entry_detected(any_db: Database) -> None:
    _fill(any_db)
    with any_db.session() as s:
        s.execute(delete(AuditEntry).where(AuditEntry.seq == 4))
    with any_db.read_session() as s:
        result = verify_chain(s)
    assert not result.ok and "missing" in (result.problem or "")


def test_reordered_entries_detected(any_db: Database) -> None:
    _fill(any_db)
    with any_db.session() as s:
        s.execute(update(AuditEntry).where(AuditEntry.seq == 2).values(seq=-2))
        s.execute(update(AuditEntry).where(AuditEntry.seq == 5).values(seq=2))
        s.execute(update(AuditEntry).where(AuditEntry.seq == -2).values(seq=5))
    with any_db.read_session() as s:
        result = verify_chain(s)
    assert not result.ok and result.at_seq == 2


def test_truncated_tail_detected_by_head_and_published_hash(any_db: Database) -> None:
    head = _fill(any_db)
    with any_db.session() as s:
        s.execute(delete(AuditEntry).where(AuditEntry.seq == 6))
    with any_db.read_session() as s:
        assert not verify_chain(s).ok  # the head row no longer matches
    with any_db.session() as s:  # an attacker who also rewrites the head row...
        last = s.execute(select(AuditEntry).where(AuditEntry.seq == 5)).scalar_one()
        s.execute(text("UPDATE audit_head SET last_seq = 5, last_hash = :h"), {"h": last.entry_hash})
    with any_db.read_session() as s:
        assert verify_chain(s).ok
        result = verify_chain(s, expect_head=head)  # ...is still caught by the published head
    assert not result.ok and "expected head" in (result.problem or "")


def test_batch_append_and_rollback_leave_no_trace(any_db: Database) -> None:
    with any_db.session() as s:
        record_many(s, [AuditRecord("system", "admin", "x", details={"i": i}) for i in range(100)])
    try:
        with any_db.session() as s:
            record(s, "system", "admin", "lost")
            raise RuntimeError("abort")
    except RuntimeError:
        pass
    with any_db.read_session() as s:
        result = verify_chain(s)
        assert result.ok and result.entries == 100
        assert s.execute(select(AuditEntry).where(AuditEntry.action == "lost")).first() is None


def test_concurrent_appenders_never_fork_the_chain(any_db: Database) -> None:
    errors: list[BaseException] = []

    def worker(k: int) -> None:
        try:
            for i in range(15):
                with any_db.session() as s:
                    record(s, f"worker{k}", "platform", "append", None, None, i=i)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with any_db.read_session() as s:
        result = verify_chain(s)
    assert result.ok and result.entries == 60
