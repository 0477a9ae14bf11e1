"""API keys: ``poise_<prefix>_<secret>``; only the SHA-256 of the whole key is stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from poise.audit import record
from poise.auth.principal import Principal
from poise.auth.roles import KEY_ROLES, Role
from poise.core.clock import utcnow
from poise.core.errors import NotFound, Unprocessable
from poise.store.models import ApiKey

KEY_PREFIX = "poise_"


@dataclass(frozen=True)
class IssuedKey:
    """A newly created key: the secret is only ever available here."""

    id: str
    name: str
    role: Role
    secret: str
    subject_id: str | None


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def split_key(secret: str) -> str | None:
    """The lookup prefix of a well-formed key, else None."""
    if not secret.startswith(KEY_PREFIX):
        return None
    parts = secret[len(KEY_PREFIX):].split("_", 1)
    if len(parts) != 2 or len(parts[0]) != 12 or not parts[1]:
        return None
    return parts[0]


def create_key(session: Session, *, name: str, role: Role | str, subject_id: str | None = None,
               created_by: Principal | None = None, secret: str | None = None) -> IssuedKey:
    """Create a key with one role; ``secret`` may be given (for bootstrap), else it is generated."""
    role = Role.parse(role) if isinstance(role, str) else role
    if role not in KEY_ROLES:
        raise Unprocessable(f"a key cannot have role {role!s}", code="invalid_role")
    if secret is None:
        secret = f"{KEY_PREFIX}{secrets.token_hex(6)}_{secrets.token_urlsafe(32)}"
    prefix = split_key(secret)
    if prefix is None:
        raise Unprocessable("key secrets look like poise_<12 hex>_<secret>", code="invalid_key_format")
    key = ApiKey(name=name, role=role.value, prefix=prefix, secret_hash=hash_key(secret), subject_id=subject_id)
    session.add(key)
    session.flush()
    actor = created_by.actor if created_by else "system"
    actor_role = created_by.role.value if created_by else "admin"
    record(session, actor, actor_role, "api_key.created", "api_key", key.id, name=name, role=role.value,
           subject_id=subject_id)
    return IssuedKey(id=key.id, name=name, role=role, secret=secret, subject_id=subject_id)


def authenticate(session: Session, secret: str) -> Principal | None:
    """The principal for a presented key, or None if it is unknown, malformed or revoked."""
    prefix = split_key(secret)
    if prefix is None:
        return None
    key = session.execute(select(ApiKey).where(ApiKey.prefix == prefix)).scalar_one_or_none()
    if key is None or key.revoked_at is not None:
        return None
    if not hmac.compare_digest(key.secret_hash, hash_key(secret)):
        return None
    return Principal(key_id=key.id, name=key.name, role=Role(key.role), subject_id=key.subject_id)


def revoke_key(session: Session, key_id: str, by: Principal) -> ApiKey:
    """Revoke a key (it stops working at once); audited."""
    key = session.get(ApiKey, key_id)
    if key is None:
        raise NotFound(f"no API key {key_id}")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        record(session, by.actor, by.role.value, "api_key.revoked", "api_key", key.id)
    return key


def ensure_key(session: Session, *, name: str, role: Role, secret: str) -> None:
    """Make sure a key with this exact secret exists (bootstrap/demo); no-op if it does."""
    prefix = split_key(secret)
    if prefix is None:
        raise Unprocessable("key secrets look like poise_<12 hex>_<secret>", code="invalid_key_format")
    if session.execute(select(ApiKey.id).where(ApiKey.prefix == prefix)).first() is None:
        create_key(session, name=name, role=role, secret=secret)
