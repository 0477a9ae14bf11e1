"""Public transparency pages and data: /transparency, /transparency/daily/{date}, JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from poise.api.deps import DbSession, public, requires
from poise.auth.principal import Principal
from poise.auth.roles import ADMINS
from poise.transparency.publish import get_published, list_published, publish_daily
from poise.web.templating import render

router = APIRouter(tags=["transparency"])


def _payload(report: Any) -> dict[str, Any]:
    return {"version": report.version, "published_at": report.published_at.isoformat(),
            "content_hash": report.content_hash, "previous_id": report.previous_id,
            "report": json.loads(report.content)}


def report_rows(content: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The report flattened to (section, key, value) rows for CSV."""
    rows: list[tuple[str, str, str]] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(f"{prefix}.{k}" if prefix else str(k), v)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(f"{prefix}[{i}]", v)
        else:
            section, _, key = prefix.partition(".")
            rows.append((section, key, "" if value is None else str(value)))

    walk("", content)
    return rows


@router.get("/api/v1/transparency/daily/{day}.json", summary="A published daily report (JSON)")
def daily_json(day: date, session: DbSession, version: int | None = Query(None, ge=1),
               principal: Principal = public()) -> dict[str, Any]:
    return _payload(get_published(session, day, version))


@router.get("/api/v1/transparency/daily/{day}.csv", summary="A published daily report (CSV)",
            response_class=Response)
def daily_csv(day: date, session: DbSession, version: int | None = Query(None, ge=1),
              principal: Principal = public()) -> Response:
    report = get_published(session, day, version)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["section", "key", "value"])
    writer.writerows(report_rows(json.loads(report.content)))
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"X-Content-SHA256": report.content_hash})


@router.post("/api/v1/transparency/daily/{day}/publish", summary="Publish (or correct) a daily report")
def publish(day: date, request: Request, session: DbSession,
            principal: Principal = requires(ADMINS)) -> dict[str, Any]:
    threshold = request.app.state.settings.report_small_count_threshold
    report = publish_daily(session, day, threshold=threshold, actor=principal.actor,
                           actor_role=principal.role.value)
    return _payload(report)


@router.get("/transparency", response_class=HTMLResponse, include_in_schema=False)
def index_page(request: Request, session: DbSession, principal: Principal = public()) -> HTMLResponse:
    return render(request, "transparency_index.html", principal, reports=list_published(session))


@router.get("/transparency/daily/{day}", response_class=HTMLResponse, include_in_schema=False)
def daily_page(day: date, request: Request, session: DbSession,
               principal: Principal = public()) -> HTMLResponse:
    report = get_published(session, day)
    return render(request, "transparency_daily.html", principal, meta=report, report=json.loads(report.content))
