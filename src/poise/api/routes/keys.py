"""API key administration (admin only)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy import select

from poise.api.deps import DbSession, requires
from poise.api.pagination import Page, PageParams, paginate
from poise.api.schemas import IssuedKeyOut, KeyIn, KeyOut
from poise.auth.keys import create_key, revoke_key
from poise.auth.principal import Principal
from poise.auth.roles import ADMINS
from poise.store.models import ApiKey

router = APIRouter(prefix="/api/v1/admin/keys", tags=["admin"])


@router.post("", status_code=201, response_model=IssuedKeyOut, summary="Create an API key (secret shown once)")
def create(body: KeyIn, session: DbSession, principal: Principal = requires(ADMINS)) -> IssuedKeyOut:
    issued = create_key(session, name=body.name, role=body.role, subject_id=body.subject_id, created_by=principal)
    return IssuedKeyOut(id=issued.id, name=issued.name, role=issued.role, subject_id=issued.subject_id,
                        secret=issued.secret)


@router.get("", response_model=Page[KeyOut], summary="List API keys (never their secrets)")
def list_keys(session: DbSession, page: PageParams = Depends(),
              principal: Principal = requires(ADMINS)) -> Page[KeyOut]:
    return paginate(session, select(ApiKey), ApiKey.id, page, KeyOut.model_validate)


@router.delete("/{key_id}", response_model=KeyOut, summary="Revoke an API key")
def revoke(key_id: str, session: DbSession, principal: Principal = requires(ADMINS)) -> KeyOut:
    return KeyOut.model_validate(revoke_key(session, key_id, principal))
