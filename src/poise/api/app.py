"""The FastAPI application: API, web pages, static files and OpenAPI docs at /docs."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles

from poise import __version__
from poise.actions import api as actions_api
from poise.actions import webhooks_api
from poise.actions.webhooks import run_dispatcher
from poise.api.errors import install_error_handlers
from poise.api.routes import audit, cases, decisions, jurisdictions, keys, platform, system
from poise.auth.keys import ensure_key
from poise.auth.roles import Role
from poise.authority import api as authority_api
from poise.authority import web as authority_web
from poise.cases import api as cases_api
from poise.cases import web as cases_web
from poise.ingest import api as ingest_api
from poise.observability import http as observability_http
from poise.observability.http import RequestMetricsMiddleware
from poise.observability.limits import LimitsMiddleware
from poise.screening import api as screening_api
from poise.screening.pipeline import build_screener
from poise.settings import Settings, get_settings
from poise.store.db import Database
from poise.transparency import api as transparency_api
from poise.web import pages
from poise.web.templating import STATIC_DIR

log = logging.getLogger("poise")

DESCRIPTION = """
Poise screens a messaging platform's public content, takes notices, trusted-flagger reports and authority
orders through one front door, decides with principles written as code, tells the platform what to do,
keeps a tamper-evident audit log and publishes transparency reports.

Authenticate with `X-API-Key: <key>` or `Authorization: Bearer <key>`. Every endpoint lists its roles.
Errors always look like `{"error": {"code": "...", "message": "...", "details": ...}}`.
"""


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Background work that lives as long as the server: the webhook dispatcher (if switched on)."""
    stop = threading.Event()
    dispatcher: threading.Thread | None = None
    if app.state.settings.webhook_dispatcher:
        dispatcher = threading.Thread(target=run_dispatcher, args=(app.state.db,), kwargs={"stop": stop},
                                      name="poise-webhooks", daemon=True)
        dispatcher.start()
    yield
    stop.set()
    if dispatcher is not None:
        dispatcher.join(timeout=10)
    if app.state.publisher is not None:
        app.state.publisher.close()


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    """Build the app for the given settings/database (defaults: the environment's)."""
    settings = settings or get_settings()
    db = database or Database(settings.database_url)
    app = FastAPI(title="Poise", version=__version__, description=DESCRIPTION, docs_url="/docs",
                  redoc_url="/redoc", openapi_url="/openapi.json", lifespan=_lifespan)
    app.state.settings = settings
    app.state.db = db
    install_error_handlers(app)
    app.add_middleware(LimitsMiddleware, max_body_bytes=settings.max_body_bytes,
                       per_minute=settings.rate_limit_per_minute)
    app.add_middleware(RequestMetricsMiddleware)  # outermost: sees every request, refused ones included
    for router in (system.router, keys.router, platform.router, jurisdictions.router, cases.router,
                   decisions.router, audit.router, ingest_api.router, actions_api.router, webhooks_api.router,
                   screening_api.router, cases_api.router, cases_web.router, transparency_api.router,
                   authority_api.router, authority_web.router, observability_http.router, pages.router):
        app.include_router(router)
    if settings.ingest_mode == "nats":  # scale-out: workers screen; this process only publishes
        from poise.stream.bus import Publisher

        app.state.publisher, app.state.screener = Publisher(settings.nats_url, settings.nats_stream), None
    else:
        app.state.publisher, app.state.screener = None, build_screener(db, settings)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    if settings.bootstrap_admin_key:
        with db.session() as session:
            ensure_key(session, name="bootstrap admin", role=Role.ADMIN, secret=settings.bootstrap_admin_key)
    return app


def api_routes(app: FastAPI) -> list[APIRoute]:
    """Every endpoint of the app, including those of included routers (for the role matrix and docs)."""
    found: list[APIRoute] = []
    stack: list[Any] = list(app.router.routes)
    while stack:
        route = stack.pop(0)
        if isinstance(route, APIRoute):
            found.append(route)
        elif getattr(route, "original_router", None) is not None:  # FastAPI's included-router wrapper
            stack.extend(route.original_router.routes)
    return found
