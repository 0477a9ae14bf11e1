"""Writing many platform entities at once: the batch path ingest takes (a few statements per batch).

``upsert_many`` creates the entities a batch mentions that Poise does not have yet and updates the ones
it has, by external id, with set-based statements instead of one round trip per entity. New rows are
inserted with ON CONFLICT DO NOTHING ... RETURNING; a row another writer created at the same moment is
read back and updated instead, so both writers end up with the one row. Fields that are None leave the
stored value as it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from poise.core.clock import utcnow
from poise.core.ids import new_id
from poise.platform.service import Entity
from poise.store.db import insert_ignoring_conflicts

_CHUNK = 500


def ids_by_external_id(session: Session, model: type[Entity], external_ids: Iterable[str]) -> dict[str, str]:
    """{external id: Poise id} for the given external ids that exist."""
    wanted = list(dict.fromkeys(external_ids))
    found: dict[str, str] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start:start + _CHUNK]
        found.update((ext, pk) for pk, ext in session.execute(
            select(model.id, model.external_id).where(model.external_id.in_(chunk))).all())
    return found


def upsert_many(session: Session, model: type[Entity], changes: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Create or update entities: ``{external id: fields}`` -> ``{external id: Poise id}``."""
    if not changes:
        return {}
    existing = ids_by_external_id(session, model, changes)
    created: set[str] = set()
    new_rows = [{"id": new_id(), "external_id": ext, "created_at": utcnow(),
                 **{k: v for k, v in fields.items() if v is not None}}
                for ext, fields in sorted(changes.items()) if ext not in existing]  # one lock order for all writers
    if new_rows:
        columns = {c.name for c in model.__table__.columns}
        defaults = {c.name: c.default.arg for c in model.__table__.columns  # type: ignore[attr-defined]
                    if c.default is not None and not callable(c.default.arg)}  # type: ignore[attr-defined]
        keys = sorted(set().union(*(r.keys() for r in new_rows)) | set(defaults))
        rows = [{k: r.get(k, defaults.get(k)) for k in keys if k in columns} for r in new_rows]
        for start in range(0, len(rows), _CHUNK):
            inserted = insert_ignoring_conflicts(session, model, rows[start:start + _CHUNK],
                                                 returning=("external_id", "id"))
            existing.update((ext, pk) for ext, pk in inserted)
            created.update(ext for ext, _ in inserted)
        lost_races = [r["external_id"] for r in new_rows if r["external_id"] not in created]
        if lost_races:  # another writer created them meanwhile: use its rows, and update them below
            existing.update(ids_by_external_id(session, model, lost_races))
    updates: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for ext, fields in changes.items():
        values = {k: v for k, v in fields.items() if v is not None}
        if ext in created or not values:
            continue
        updates.setdefault(tuple(sorted(values)), []).append(
            {"_pk": existing[ext], **{f"_v_{k}": v for k, v in values.items()}})
    for names, params in updates.items():
        params.sort(key=lambda row: row["_pk"])  # same lock order in every concurrent writer
        statement = (update(model).where(model.id == bindparam("_pk"))
                     .values({n: bindparam(f"_v_{n}") for n in names}))
        session.connection().execute(statement, params)
    return existing
