"""Webhook endpoints over HTTP (admin only): register, list with delivery state, disable."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, HttpUrl
from sqlalchemy import select

from poise.actions.webhooks import WebhookEndpoint, add_endpoint
from poise.api.deps import DbSession, requires
from poise.audit import record
from poise.auth.principal import Principal
from poise.auth.roles import ADMINS
from poise.core.errors import NotFound

router = APIRouter(prefix="/api/v1/webhooks", tags=["actions"])


class EndpointIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    url: HttpUrl
    from_start: bool = Field(False, description="Deliver every action ever recorded, not only new ones")


class EndpointOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    name: str
    url: str
    enabled: bool
    cursor_seq: int
    consecutive_failures: int
    delivered_total: int
    failed_total: int
    next_attempt_at: datetime | None
    last_error: str | None


class EndpointCreated(EndpointOut):
    secret: str = Field(description="HMAC signing secret, shown once")


@router.post("", status_code=201, response_model=EndpointCreated, summary="Register a webhook endpoint")
def create_endpoint(body: EndpointIn, session: DbSession, principal: Principal = requires(ADMINS)) -> EndpointCreated:
    endpoint, secret = add_endpoint(session, name=body.name, url=str(body.url), actor=principal.actor,
                                    actor_role=principal.role.value, from_start=body.from_start)
    return EndpointCreated(**EndpointOut.model_validate(endpoint).model_dump(), secret=secret)


@router.get("", response_model=list[EndpointOut], summary="Webhook endpoints and their delivery state")
def list_endpoints(session: DbSession, principal: Principal = requires(ADMINS)) -> list[EndpointOut]:
    rows = session.execute(select(WebhookEndpoint).order_by(WebhookEndpoint.created_at)).scalars()
    return [EndpointOut.model_validate(e) for e in rows]


@router.delete("/{endpoint_id}", response_model=EndpointOut, summary="Disable a webhook endpoint")
def disable_endpoint(endpoint_id: str, session: DbSession, principal: Principal = requires(ADMINS)) -> EndpointOut:
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise NotFound(f"no webhook endpoint {endpoint_id}")
    endpoint.enabled = False
    record(session, principal.actor, principal.role.value, "webhook.disabled", "webhook", endpoint_id)
    return EndpointOut.model_validate(endpoint)
