"""Append-only, hash-chained audit log: every decision and every read of user data leaves an entry."""

from poise.audit.log import AuditRecord, record, record_many, verify_chain

__all__ = ["AuditRecord", "record", "record_many", "verify_chain"]
