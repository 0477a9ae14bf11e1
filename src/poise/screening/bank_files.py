"""Bank import and export: the ThreatExchange / HMA CSV shape and plain hash lists.

CSV: a header row, then one signal per row: ``signal_type,signal_value,tags`` (tags separated by spaces or
semicolons inside the field). Signal type names used by ThreatExchange and HMA are accepted
(``pdq``, ``md5``/``video_md5``/``photo_md5``, ``sha256``, ``url``, ``domain``, ``raw_text``/``keyword``,
``regex``). Plain lists hold one value per line (``#`` comments allowed) of a type given by the caller.
Every row is validated; bad rows are reported with their line number and the good rows are kept.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from poise.audit import record
from poise.core.clock import utcnow
from poise.core.errors import NotFound, Unprocessable
from poise.core.ids import new_id
from poise.screening.banks import SIGNAL_TYPES, get_or_create_bank
from poise.screening.models import Bank, BankSignal
from poise.store.db import insert_ignoring_conflicts

CSV_HEADER = ("signal_type", "signal_value", "tags")
TYPE_ALIASES = {
    "pdq": "pdq", "photo_pdq": "pdq", "md5": "md5", "video_md5": "md5", "photo_md5": "md5", "sha256": "sha256",
    "url": "url", "domain": "domain", "raw_text": "keyword", "keyword": "keyword", "text": "keyword",
    "regex": "regex", "trend_query": "regex",
}
_HEX = {"pdq": 64, "sha256": 64, "md5": 32}
_HEX_DIGITS = re.compile(r"^[0-9a-f]+$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_CHUNK = 1000


@dataclass
class ImportResult:
    """How many rows were added, were already there, and which were rejected (line, reason)."""

    added: int = 0
    already_present: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)


def clean_signal(signal_type: str, value: str) -> str:
    """The canonical form of a signal value; raises Unprocessable with a reason if it is not valid."""
    kind = TYPE_ALIASES.get(signal_type.strip().lower())
    if kind is None or kind not in SIGNAL_TYPES:
        raise Unprocessable(f"unknown signal type {signal_type!r}", code="unknown_signal_type")
    value = value.strip()
    if not value:
        raise Unprocessable("empty signal value", code="empty_signal")
    if kind in _HEX:
        value = value.lower()
        if len(value) != _HEX[kind] or not _HEX_DIGITS.match(value):
            raise Unprocessable(f"{kind} needs {_HEX[kind]} hex digits", code="bad_hash")
    elif kind == "domain":
        value = value.lower().rstrip(".")
        if not _DOMAIN.match(value):
            raise Unprocessable(f"not a domain name: {value!r}", code="bad_domain")
    elif kind == "regex":
        try:
            re.compile(value)
        except re.error as exc:
            raise Unprocessable(f"invalid regex: {exc}", code="bad_regex") from exc
    if len(value) > 2000:
        raise Unprocessable("signal value longer than 2000 characters", code="signal_too_long")
    return value


def _tags(raw: str | None) -> list[str]:
    return [t for t in re.split(r"[\s;,]+", raw or "") if t]


def _store(session: Session, bank: Bank, rows: list[tuple[int, str, str, list[str]]], actor: str,
           result: ImportResult, source_ref: str | None) -> None:
    """Insert (line, type, value, tags) rows that are not in the bank yet, in chunks."""
    seen: set[tuple[str, str]] = set()
    for start in range(0, len(rows), _CHUNK):
        chunk = rows[start:start + _CHUNK]
        present = set(session.execute(select(BankSignal.signal_type, BankSignal.value).where(
            BankSignal.bank_id == bank.id, BankSignal.value.in_([r[2] for r in chunk]))).all())
        new: list[dict[str, Any]] = []
        for _line, kind, value, tags in chunk:
            if (kind, value) in present or (kind, value) in seen:
                result.already_present += 1
                continue
            seen.add((kind, value))
            new.append(dict(id=new_id(), bank_id=bank.id, signal_type=kind, value=value, tags=tags,
                            status="active", added_by=actor, source_ref=source_ref, created_at=utcnow()))
        if new:
            insert_ignoring_conflicts(session, BankSignal, new)
            result.added += len(new)


def import_csv(session: Session, *, bank: str, category: str, text: str, actor: str, actor_role: str,
               source_ref: str | None = None) -> ImportResult:
    """Import a ThreatExchange/HMA-style CSV into ``bank`` (created on first use); audited."""
    reader = csv.reader(io.StringIO(text, newline=""))
    result = ImportResult()
    rows: list[tuple[int, str, str, list[str]]] = []
    header_seen = False
    for line_no, row in _rows(reader, result):
        if not row or (row[0].startswith("#")):
            continue
        if not header_seen:
            header_seen = True
            if [c.strip().lower() for c in row[:2]] == list(CSV_HEADER[:2]):
                continue
        if len(row) < 2:
            result.rejected.append((line_no, "a row needs signal_type and signal_value"))
            continue
        try:
            kind = TYPE_ALIASES.get(row[0].strip().lower(), row[0])
            rows.append((line_no, kind, clean_signal(row[0], row[1]), _tags(row[2] if len(row) > 2 else "")))
        except Unprocessable as exc:
            result.rejected.append((line_no, exc.message))
    return _finish(session, bank, category, rows, result, actor, actor_role, source_ref, "csv")


def _rows(reader: Any, result: ImportResult) -> Any:
    """(line number, row) pairs; a CSV syntax error is reported as a rejected line and ends the file."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            result.rejected.append((reader.line_num, f"malformed CSV: {exc}"))
            return
        yield reader.line_num, row


def import_plain(session: Session, *, bank: str, category: str, signal_type: str, text: str, actor: str,
                 actor_role: str, source_ref: str | None = None) -> ImportResult:
    """Import a plain list (one value per line) of one signal type; audited."""
    kind = TYPE_ALIASES.get(signal_type.strip().lower())
    if kind is None:
        raise Unprocessable(f"unknown signal type {signal_type!r}", code="unknown_signal_type")
    result = ImportResult()
    rows: list[tuple[int, str, str, list[str]]] = []
    for line_no, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            rows.append((line_no, kind, clean_signal(kind, line), []))
        except Unprocessable as exc:
            result.rejected.append((line_no, exc.message))
    return _finish(session, bank, category, rows, result, actor, actor_role, source_ref, "plain")


def _finish(session: Session, bank_name: str, category: str, rows: list[tuple[int, str, str, list[str]]],
            result: ImportResult, actor: str, actor_role: str, source_ref: str | None, fmt: str) -> ImportResult:
    bank = get_or_create_bank(session, bank_name, category=category)
    _store(session, bank, rows, actor, result, source_ref)
    record(session, actor, actor_role, "bank.imported", "bank", bank.id, bank=bank_name, format=fmt,
           added=result.added, already_present=result.already_present, rejected=len(result.rejected),
           source_ref=source_ref)
    return result


def export_csv(session: Session, bank_name: str) -> str:
    """The bank's active signals as ThreatExchange/HMA-style CSV (header included)."""
    bank = session.execute(select(Bank).where(Bank.name == bank_name)).scalar_one_or_none()
    if bank is None:
        raise NotFound(f"no bank {bank_name!r}")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    signals = session.execute(select(BankSignal.signal_type, BankSignal.value, BankSignal.tags).where(
        BankSignal.bank_id == bank.id, BankSignal.status == "active").order_by(BankSignal.id)).all()
    for kind, value, tags in signals:
        writer.writerow((kind, value, " ".join(tags or [])))
    return out.getvalue()


def bank_summaries(session: Session) -> list[dict[str, Any]]:
    """Every bank with its category, source, policy and active signal counts by type."""
    counts: dict[str, dict[str, int]] = {}
    for bank_id, kind, n in session.execute(
            select(BankSignal.bank_id, BankSignal.signal_type, func.count()).where(BankSignal.status == "active")
            .group_by(BankSignal.bank_id, BankSignal.signal_type)).all():
        counts.setdefault(bank_id, {})[kind] = n
    return [{"name": b.name, "category": b.category, "source": b.source, "negative": b.is_negative,
             "enabled": b.enabled, "action_policy": b.action_policy, "signals": counts.get(b.id, {})}
            for b in session.execute(select(Bank).order_by(Bank.name)).scalars()]
