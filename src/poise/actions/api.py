"""The platform's pull feed of actions: ``GET /api/v1/actions/feed?after=<seq>`` and acknowledgements.

Actions are numbered in commit order (see :mod:`poise.store.sequences`), so a platform that pages with
the last ``seq`` it processed never misses one. Delivery is at least once; ``id`` makes it idempotent.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy import select, update

from poise.api.deps import DbSession, requires
from poise.api.schemas import ActionOut
from poise.audit import record
from poise.auth.principal import Principal
from poise.auth.roles import Role
from poise.core.clock import utcnow
from poise.store.models import Action

router = APIRouter(prefix="/api/v1/actions", tags=["actions"])
PLATFORM = (Role.PLATFORM, Role.ADMIN)


class FeedPage(BaseModel):
    items: list[ActionOut]
    next_after: int = Field(description="Pass as ?after= for the next page")


class AckIn(BaseModel):
    action_ids: list[str] = Field(min_length=1, max_length=5000)


@router.get("/feed", response_model=FeedPage, summary="Actions for the platform, in order, after a sequence")
def feed(session: DbSession, after: int = Query(0, ge=0), limit: int = Query(500, ge=1, le=5000),
         principal: Principal = requires(PLATFORM)) -> FeedPage:
    rows = session.execute(select(Action).where(Action.seq > after).order_by(Action.seq).limit(limit)).scalars().all()
    return FeedPage(items=[ActionOut.model_validate(a) for a in rows], next_after=rows[-1].seq if rows else after)


@router.post("/ack", summary="Confirm that the platform has carried out actions")
def ack(body: AckIn, session: DbSession, principal: Principal = requires(PLATFORM)) -> dict[str, Any]:
    now = utcnow()
    result = session.execute(update(Action).where(Action.id.in_(body.action_ids), Action.status != "delivered")
                             .values(status="delivered", delivered_at=now))
    count = getattr(result, "rowcount", 0)
    record(session, principal.actor, principal.role.value, "actions.acknowledged", "actions", None,
           count=count, action_ids=body.action_ids[:100])
    return {"acknowledged": count}
