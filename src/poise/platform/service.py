"""Create or update platform entities by their platform (external) ids; read them with an audit entry."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from poise.audit import record
from poise.auth.principal import Principal
from poise.core.errors import NotFound
from poise.store.models import Channel, ContentItem, MediaItem, PlatformAccount

Entity = TypeVar("Entity", PlatformAccount, Channel, ContentItem)


def by_external_id(session: Session, model: type[Entity], external_id: str) -> Entity | None:
    """The entity the platform knows as ``external_id``, if Poise has it."""
    return session.execute(select(model).where(model.external_id == external_id)).scalar_one_or_none()


def _resolve(session: Session, model: type[Entity], external_id: str | None, what: str) -> str | None:
    if external_id is None:
        return None
    found = by_external_id(session, model, external_id)
    if found is None:
        raise NotFound(f"unknown {what} {external_id!r}", code=f"unknown_{what}")
    return found.id


def upsert(session: Session, model: type[Entity], external_id: str, fields: dict[str, Any]) -> Entity:
    """Insert or update by external id (fields that are None are left as they are on update)."""
    entity = by_external_id(session, model, external_id)
    if entity is None:
        entity = model(external_id=external_id, **{k: v for k, v in fields.items() if v is not None})
        session.add(entity)
    else:
        for k, v in fields.items():
            if v is not None:
                setattr(entity, k, v)
    session.flush()
    return entity


def upsert_account(session: Session, external_id: str, **fields: Any) -> PlatformAccount:
    return upsert(session, PlatformAccount, external_id, fields)


def upsert_channel(session: Session, external_id: str, owner_external_id: str | None = None,
                   **fields: Any) -> Channel:
    fields["owner_id"] = _resolve(session, PlatformAccount, owner_external_id, "account")
    return upsert(session, Channel, external_id, fields)


def upsert_content(session: Session, external_id: str, channel_external_id: str | None = None,
                   author_external_id: str | None = None, **fields: Any) -> ContentItem:
    fields["channel_id"] = _resolve(session, Channel, channel_external_id, "channel")
    fields["author_id"] = _resolve(session, PlatformAccount, author_external_id, "account")
    return upsert(session, ContentItem, external_id, fields)


def read_audited(session: Session, model: type[Entity], entity_id: str, by: Principal, purpose: str) -> Entity:
    """Load one entity for a caller and write the read to the audit log (user data is never read silently)."""
    entity = session.get(model, entity_id)
    if entity is None:
        raise NotFound(f"no {model.__tablename__[:-1].replace('_', ' ')} {entity_id}")
    record(session, by.actor, by.role.value, f"read.{model.__tablename__}", model.__tablename__, entity_id,
           purpose=purpose)
    return entity


SUBJECT_MODELS: dict[str, type[Any]] = {
    "content": ContentItem,
    "channel": Channel,
    "account": PlatformAccount,
    "media": MediaItem,
}


def require_subject(session: Session, subject_type: str, subject_id: str) -> Any:
    """The content item, channel, account or media item a decision or case is about, or 404."""
    model = SUBJECT_MODELS.get(subject_type)
    found = session.get(model, subject_id) if model is not None else None
    if found is None:
        raise NotFound(f"no {subject_type} {subject_id}", code="unknown_subject")
    return found
