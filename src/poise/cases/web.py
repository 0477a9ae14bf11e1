"""Web pages: the public report form and notice status page (with appeal), and the review console.

Console pages are declared ``public()`` and gate themselves: an anonymous visitor is sent to sign in, another
role gets a 403 page. Forms post to these pages, which call the same domain functions as the API.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from poise.actions.vocabulary import Ground, Outcome
from poise.api.deps import DbSession, public
from poise.auth.principal import Principal
from poise.auth.roles import MODERATORS, SENIOR_MODERATORS
from poise.cases import appeals, review
from poise.cases.api import case_view, notice_status
from poise.cases.models import Alert, Appeal
from poise.cases.notices import NoticeInput, notice_by_token, submit_notice
from poise.core.errors import PoiseError
from poise.taxonomy import CATEGORIES
from poise.web.templating import render

router = APIRouter(include_in_schema=False)
RESTRICTIONS = [Outcome.REMOVE, Outcome.DISABLE, Outcome.GEO_RESTRICT, Outcome.DEMOTE, Outcome.SUSPEND_ACCOUNT,
                Outcome.BAN_CHANNEL, Outcome.NO_ACTION]


def _gate(request: Request, principal: Principal) -> Response | None:
    if principal.is_anonymous:
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
    if principal.role not in MODERATORS:
        return render(request, "case_message.html", principal, status_code=403, title="For moderators",
                      message="The review console is for moderators.")
    return None


@router.get("/report", response_class=HTMLResponse)
def report_form(request: Request, principal: Principal = public()) -> HTMLResponse:
    return render(request, "report.html", principal, categories=CATEGORIES.values(), error=None, values={})


@router.post("/report", response_model=None)
def report_submit(request: Request, session: DbSession, category: str = Form(""), location: str = Form(""),
                  explanation: str = Form(""), notifier_name: str = Form(""), notifier_email: str = Form(""),
                  good_faith: str = Form(""), principal: Principal = public()) -> Response:
    values = {"category": category, "location": location, "explanation": explanation,
              "notifier_name": notifier_name, "notifier_email": notifier_email}
    try:
        if not location.strip():
            raise PoiseError("say where the content is (its link or id)", code="location_required", status_code=422)
        submitted = submit_notice(session, NoticeInput(
            category=category, location=location, explanation=explanation, good_faith=good_faith == "yes",
            notifier_name=notifier_name.strip() or None, notifier_email=notifier_email.strip() or None),
            flagger=None, actor=principal.actor, actor_role=principal.role.value)
    except PoiseError as exc:
        session.rollback()
        return render(request, "report.html", principal, status_code=exc.status_code,
                      categories=CATEGORIES.values(), error=exc.message, values=values)
    return render(request, "report_received.html", principal, status_code=201, notice=submitted.notice,
                  token=submitted.token, link=f"/notices/{submitted.notice.id}?token={submitted.token}")


@router.get("/notices/{notice_id}", response_class=HTMLResponse)
def notice_page(notice_id: str, request: Request, session: DbSession, token: str = "",
                principal: Principal = public()) -> HTMLResponse:
    notice = notice_by_token(session, notice_id, token) if token else None
    if notice is None:
        return render(request, "case_message.html", principal, status_code=404, title="Notice not found",
                      message="No notice matches this link. Check the tracking link you received.")
    return render(request, "notice_status.html", principal, status=notice_status(session, notice), token=token,
                  error=None)


@router.post("/notices/{notice_id}/appeal", response_model=None)
def notice_appeal(notice_id: str, request: Request, session: DbSession, token: str = Form(""),
                  reason: str = Form(""), principal: Principal = public()) -> Response:
    notice = notice_by_token(session, notice_id, token) if token else None
    if notice is None:
        return render(request, "case_message.html", principal, status_code=404, title="Notice not found",
                      message="No notice matches this link.")
    status = notice_status(session, notice)
    try:
        if status.decision_id is None:
            raise PoiseError("there is no decision to appeal yet", code="not_decided", status_code=409)
        appeals.file_appeal(session, status.decision_id, appellant="notifier", reason=reason, notice=notice,
                            appeal_window=timedelta(days=request.app.state.settings.appeal_window_days),
                            actor=principal.actor, actor_role=principal.role.value)
    except PoiseError as exc:
        session.rollback()
        return render(request, "notice_status.html", principal, status_code=exc.status_code, status=status,
                      token=token, error=exc.message)
    return RedirectResponse(f"/notices/{notice_id}?token={quote(token)}", status_code=303)


@router.get("/console", response_class=HTMLResponse, response_model=None)
def console(request: Request, session: DbSession, principal: Principal = public()) -> Response:
    gate = _gate(request, principal)
    if gate is not None:
        return gate
    cases = review.queue(session, include_escalated=principal.role in SENIOR_MODERATORS)
    alerts = session.execute(select(Alert).where(Alert.acknowledged_at.is_(None)).order_by(Alert.created_at)
                             ).scalars().all()
    open_appeals = session.execute(select(Appeal).where(Appeal.status == "open").order_by(Appeal.created_at)
                                   ).scalars().all()
    return render(request, "console.html", principal, cases=cases, alerts=alerts, appeals=open_appeals,
                  restrictions=RESTRICTIONS, error=request.query_params.get("error"))


@router.get("/console/queue", response_class=HTMLResponse, response_model=None)
def console_queue(request: Request, session: DbSession, principal: Principal = public()) -> Response:
    """The queue's rows alone: htmx swaps them in every 20 seconds while no case is selected."""
    gate = _gate(request, principal)
    if gate is not None:
        return gate
    cases = review.queue(session, include_escalated=principal.role in SENIOR_MODERATORS)
    return render(request, "console_queue.html", principal, cases=cases)


@router.get("/console/cases/{case_id}", response_class=HTMLResponse, response_model=None)
def console_case(case_id: str, request: Request, session: DbSession, principal: Principal = public()) -> Response:
    gate = _gate(request, principal)
    if gate is not None:
        return gate
    try:
        view = case_view(session, case_id, principal)
    except PoiseError as exc:
        return render(request, "case_message.html", principal, status_code=exc.status_code, title="Case",
                      message=exc.message)
    return render(request, "console_case.html", principal, view=view, restrictions=RESTRICTIONS,
                  categories=CATEGORIES.values())


@router.post("/console/decide", response_model=None)
async def console_decide(request: Request, session: DbSession, principal: Principal = public()) -> Response:
    gate = _gate(request, principal)
    if gate is not None:
        return gate
    form = await request.form()
    case_ids = [str(v) for v in form.getlist("case_id")]
    try:
        if not case_ids:
            raise PoiseError("select at least one case", code="no_cases", status_code=422)
        choice = review.ReviewDecision(
            outcome=Outcome(str(form.get("outcome", ""))), ground=Ground(str(form.get("ground", Ground.ILLEGAL.value))),
            reference=str(form.get("reference", "")).strip() or None,
            explanation=str(form.get("explanation", "")).strip() or None,
            countries=[c.strip().upper() for c in str(form.get("countries", "")).split(",") if c.strip()],
            manifestly_unfounded=form.get("manifestly_unfounded") == "yes")
        review.decide_cases(session, case_ids, choice, principal,
                            repeat_threshold=request.app.state.settings.repeat_infringer_threshold,
                            appeal_window=timedelta(days=request.app.state.settings.appeal_window_days))
    except (PoiseError, ValueError) as exc:
        session.rollback()
        message = exc.message if isinstance(exc, PoiseError) else f"invalid choice: {exc}"
        return RedirectResponse(f"/console?error={quote(message)}", status_code=303)
    return RedirectResponse("/console", status_code=303)


@router.post("/console/cases/{case_id}/escalate", response_model=None)
def console_escalate(case_id: str, request: Request, session: DbSession, note: str = Form("escalated"),
                     principal: Principal = public()) -> Response:
    gate = _gate(request, principal)
    if gate is not None:
        return gate
    try:
        review.escalate(session, case_id, principal, note)
    except PoiseError as exc:
        session.rollback()
        return RedirectResponse(f"/console?error={quote(exc.message)}", status_code=303)
    return RedirectResponse("/console", status_code=303)


@router.post("/console/appeals/{appeal_id}", response_model=None)
def console_appeal(appeal_id: str, request: Request, session: DbSession, result: str = Form(""),
                   reasons: str = Form(""), principal: Principal = public()) -> Response:
    gate = _gate(request, principal)
    if gate is not None:
        return gate
    try:
        appeals.decide_appeal(session, appeal_id, reverse=result == "reverse", reasons=reasons, by=principal)
    except PoiseError as exc:
        session.rollback()
        return RedirectResponse(f"/console?error={quote(exc.message)}", status_code=303)
    return RedirectResponse("/console", status_code=303)
