"""``POST /api/v1/ingest/events``: the platform's batch intake.

In the embedded deployment (``POISE_INGEST_MODE=inline``) the batch is stored and screened in this request
and each item's decisions come back. With ``POISE_INGEST_MODE=nats`` valid events are published to
JetStream (media bytes replaced by their hashes) and the answer is ``202`` once the stream has stored them;
``poise worker`` processes them. Either way bad items are rejected one by one with a reason.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from poise.api.deps import DbSession, requires
from poise.auth.principal import Principal
from poise.auth.roles import Role
from poise.core.errors import PoiseError
from poise.ingest.events import BatchResult, EventBatch, ItemResult
from poise.ingest.service import hash_media_for_transport, ingest_events, validate_events

router = APIRouter(prefix="/api/v1/ingest", tags=["ingest"])


@router.post("/events", response_model=BatchResult,
             summary="Send a batch of content events (idempotent by event_id; per-item results)")
def post_events(body: EventBatch, request: Request, response: Response, session: DbSession,
                principal: Principal = requires(Role.PLATFORM, Role.ADMIN)) -> BatchResult:
    settings = request.app.state.settings
    if len(body.events) > settings.max_batch_items:
        raise PoiseError(f"a batch holds at most {settings.max_batch_items} events (got {len(body.events)})",
                         code="batch_too_large", status_code=413)
    publisher = getattr(request.app.state, "publisher", None)
    if publisher is None:
        return ingest_events(session, body.events, getattr(request.app.state, "screener", None))
    valid, results = validate_events(body.events)
    if valid:
        publisher.publish([hash_media_for_transport(ev) for _, ev in valid])
    results += [ItemResult(index=i, event_id=ev.event_id, status="queued") for i, ev in valid]
    results.sort(key=lambda r: r.index)
    response.status_code = 202
    return BatchResult(accepted=len(valid), duplicates=0, rejected=len(results) - len(valid), items=results)
