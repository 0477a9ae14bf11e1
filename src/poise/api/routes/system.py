"""Health and identity."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import text

from poise import __version__
from poise.api.deps import DbSession, public, requires
from poise.auth.principal import Principal
from poise.auth.roles import KEY_ROLES

router = APIRouter(tags=["system"])


@router.get("/health", summary="Liveness and database check")
def health(session: DbSession, principal: Principal = public()) -> dict[str, Any]:
    session.execute(text("SELECT 1"))
    return {"status": "ok", "version": __version__, "database": session.get_bind().dialect.name}


@router.get("/api/v1/me", summary="Who the presented key belongs to")
def whoami(principal: Principal = requires(KEY_ROLES)) -> dict[str, Any]:
    return {"key_id": principal.key_id, "name": principal.name, "role": principal.role.value,
            "subject_id": principal.subject_id}
