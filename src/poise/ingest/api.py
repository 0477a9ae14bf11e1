"""``POST /api/v1/ingest/events``: the platform's batch intake."""

from __future__ import annotations

from fastapi import APIRouter, Request

from poise.api.deps import DbSession, requires
from poise.auth.principal import Principal
from poise.auth.roles import Role
from poise.core.errors import PoiseError
from poise.ingest.events import BatchResult, EventBatch
from poise.ingest.service import ingest_events

router = APIRouter(prefix="/api/v1/ingest", tags=["ingest"])


@router.post("/events", response_model=BatchResult,
             summary="Send a batch of content events (idempotent by event_id; per-item results)")
def post_events(body: EventBatch, request: Request, session: DbSession,
                principal: Principal = requires(Role.PLATFORM, Role.ADMIN)) -> BatchResult:
    limit = request.app.state.settings.max_batch_items
    if len(body.events) > limit:
        raise PoiseError(f"a batch holds at most {limit} events (got {len(body.events)})",
                         code="batch_too_large", status_code=413)
    screener = getattr(request.app.state, "screener", None)
    return ingest_events(session, body.events, screener)
