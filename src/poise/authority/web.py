"""Web pages of the authority front door: the public directory, registration, the authority portal (submit
and track requests) and the legal team's queue.

Portal and queue pages are declared ``public()`` because they handle sign-in themselves: an anonymous visitor
is redirected to ``/login`` (a browser should not get a JSON 401), a signed-in caller with another role gets a
403 page, and every query is scoped with the same domain functions the API uses (an authority sees only its
own requests).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from sqlalchemy import select

from poise import __version__
from poise.api.deps import DbSession, public
from poise.auth.principal import Principal
from poise.auth.roles import Role
from poise.authority import accounts, requests
from poise.authority.api import request_out
from poise.authority.directory import build_directory
from poise.authority.models import AuthorityRegistration, AuthorityRequest
from poise.authority.vocabulary import ISSUER_TYPES, OPEN_STATUSES, REQUEST_TYPES, DataCategory
from poise.core.errors import PoiseError
from poise.store.models import Authority
from poise.web.templating import TEMPLATES_DIR

router = APIRouter(include_in_schema=False)
_env = Environment(loader=ChoiceLoader([FileSystemLoader(str(Path(__file__).parent / "templates")),
                                        FileSystemLoader(str(TEMPLATES_DIR))]),
                   autoescape=select_autoescape(["html"]))
_env.globals["poise_version"] = __version__
templates = Jinja2Templates(env=_env)
STAFF = (Role.LEGAL_OFFICER, Role.ADMIN)


def render(request: Request, template: str, principal: Principal, status_code: int = 200,
           **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, template, {"principal": principal, **context},
                                      status_code=status_code)


def _gate(request: Request, principal: Principal, roles: tuple[Role, ...]) -> Response | None:
    """None if the caller may see the page; else a redirect to sign in, or a 403 page."""
    if principal.is_anonymous:
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
    if principal.role not in roles:
        return render(request, "authority_message.html", principal, status_code=403, title="Not for this role",
                      message=f"This page is for {', '.join(r.value for r in roles)} accounts.")
    return None


def _form_context() -> dict[str, Any]:
    return {"request_types": list(REQUEST_TYPES.values()), "issuer_types": ISSUER_TYPES,
            "data_categories": [c.value for c in DataCategory]}


# --- public -------------------------------------------------------------------------------------------------

@router.get("/authorities", response_class=HTMLResponse)
def directory_page(request: Request, session: DbSession, principal: Principal = public()) -> HTMLResponse:
    return render(request, "authority_directory.html", principal, directory=build_directory(session))


@router.get("/directory", response_model=None)
def directory_redirect(principal: Principal = public()) -> Response:
    return RedirectResponse("/authorities", status_code=307)


@router.get("/authority/register", response_class=HTMLResponse)
def register_form(request: Request, session: DbSession, principal: Principal = public()) -> HTMLResponse:
    return render(request, "authority_register.html", principal, error=None, done=None,
                  countries=build_directory(session)["countries"])


@router.post("/authority/register", response_class=HTMLResponse)
def register_submit(request: Request, session: DbSession, jurisdiction_code: str = Form(..., max_length=8),
                    name: str = Form(..., max_length=300), agency: str = Form(..., max_length=300),
                    kind: str = Form("law_enforcement", max_length=40),
                    contact_name: str = Form(..., max_length=300), contact_email: str = Form(..., max_length=320),
                    justification: str = Form("", max_length=5000), principal: Principal = public()) -> HTMLResponse:
    countries = build_directory(session)["countries"]
    if "@" not in contact_email or len(name.strip()) < 2 or len(agency.strip()) < 2:
        return render(request, "authority_register.html", principal, status_code=422, countries=countries,
                      done=None, error="Please give the authority's name, agency and a valid e-mail address.")
    try:
        reg = accounts.register(session, accounts.RegistrationInput(
            jurisdiction_code=jurisdiction_code, name=name.strip(), agency=agency.strip(), kind=kind,
            contact_name=contact_name.strip(), contact_email=contact_email.strip(),
            justification=justification.strip() or None), principal)
    except PoiseError as exc:
        return render(request, "authority_register.html", principal, status_code=exc.status_code,
                      countries=countries, done=None, error=exc.message)
    return render(request, "authority_register.html", principal, status_code=201, countries=countries,
                  error=None, done=reg)


# --- the authority portal -----------------------------------------------------------------------------------

@router.get("/authority", response_model=None)
def portal(request: Request, session: DbSession, principal: Principal = public()) -> Response:
    if principal.role in STAFF:
        return RedirectResponse("/authority/review", status_code=303)
    gate = _gate(request, principal, (Role.AUTHORITY,))
    if gate is not None:
        return gate
    try:
        authority = requests.authority_of(session, principal)
    except PoiseError as exc:
        return render(request, "authority_message.html", principal, status_code=exc.status_code,
                      title="No authority account", message=exc.message)
    rows = session.execute(requests.visible_requests(session, principal)
                           .order_by(AuthorityRequest.received_at.desc()).limit(200)).scalars().all()
    return render(request, "authority_portal.html", principal, authority=authority, rows=rows, error=None,
                  **_form_context())


def parse_targets(text: str) -> list[requests.TargetRef]:
    """One target per line: ``channel:chan-x``, ``content:post-1``, ``account:acct-9`` or ``account:@handle``."""
    out: list[requests.TargetRef] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        kind, sep, ref = line.partition(":")
        kind, ref = kind.strip().lower(), ref.strip()
        if not sep or not ref or kind not in ("content", "channel", "account"):
            raise PoiseError(f"cannot read target {line!r}: write type:id, e.g. channel:chan-news",
                             code="invalid_target", status_code=422)
        if kind == "account" and ref.startswith("@"):
            out.append(requests.TargetRef(type=kind, handle=ref[1:]))
        else:
            out.append(requests.TargetRef(type=kind, external_id=ref))
    return out


@router.post("/authority/requests", response_model=None)
def portal_submit(request: Request, session: DbSession, request_type: str = Form(..., max_length=60),
                  reference: str = Form("", max_length=200), instrument: str = Form("", max_length=100),
                  legal_basis: str = Form("", max_length=5000), issuer_type: str = Form("police", max_length=40),
                  judicial_by: str = Form("", max_length=300), category: str = Form("", max_length=100),
                  action: str = Form("", max_length=20), data_categories: list[str] = Form([]),
                  targets: str = Form("", max_length=100_000), description: str = Form("", max_length=10_000),
                  emergency: bool = Form(False), principal: Principal = public()) -> Response:
    gate = _gate(request, principal, (Role.AUTHORITY,))
    if gate is not None:
        return gate
    try:
        with session.begin_nested():
            req = requests.submit(session, principal, requests.SubmitInput(
                request_type=request_type, reference=reference or None, instrument=instrument or None,
                legal_basis=legal_basis or None, issuer_type=issuer_type,
                judicial_authorisation={"authorised_by": judicial_by} if judicial_by else {},
                category=category or None, action=action or None, data_categories=data_categories,
                targets=parse_targets(targets), description=description or None, emergency=emergency))
    except PoiseError as exc:
        authority = session.get(Authority, principal.subject_id) if principal.subject_id else None
        rows = session.execute(requests.visible_requests(session, principal)
                               .order_by(AuthorityRequest.received_at.desc()).limit(200)).scalars().all() \
            if authority else []
        return render(request, "authority_portal.html", principal, status_code=exc.status_code,
                      authority=authority, rows=rows, error=exc.message, **_form_context())
    return RedirectResponse(f"/authority/requests/{req.id}", status_code=303)


@router.get("/authority/requests/{request_id}", response_model=None)
def request_page(request: Request, request_id: str, session: DbSession, principal: Principal = public()) -> Response:
    gate = _gate(request, principal, (Role.AUTHORITY, *STAFF))
    if gate is not None:
        return gate
    try:
        req = requests.get_request(session, principal, request_id)
    except PoiseError as exc:
        return render(request, "authority_message.html", principal, status_code=exc.status_code,
                      title="Request not found", message=exc.message)
    return render(request, "authority_request.html", principal, req=request_out(session, req, principal),
                  staff=principal.role in STAFF)


# --- the legal team's queue ---------------------------------------------------------------------------------

@router.get("/authority/review", response_model=None)
def review_queue(request: Request, session: DbSession, principal: Principal = public()) -> Response:
    gate = _gate(request, principal, STAFF)
    if gate is not None:
        return gate
    open_rows = session.execute(select(AuthorityRequest).where(AuthorityRequest.status.in_(OPEN_STATUSES))
                                .order_by(AuthorityRequest.due_at).limit(500)).scalars().all()
    recent = session.execute(select(AuthorityRequest).where(AuthorityRequest.status.not_in(OPEN_STATUSES))
                             .order_by(AuthorityRequest.closed_at.desc()).limit(50)).scalars().all()
    pending = session.execute(select(AuthorityRegistration, Authority)
                              .join(Authority, Authority.id == AuthorityRegistration.authority_id)
                              .where(AuthorityRegistration.status == "pending")
                              .order_by(AuthorityRegistration.created_at)).all()
    return render(request, "authority_review.html", principal, open_rows=open_rows, recent=recent,
                  pending=pending, is_admin=principal.role is Role.ADMIN)


@router.post("/authority/review/{request_id}", response_model=None)
def review_submit(request: Request, request_id: str, session: DbSession, decision: str = Form(..., max_length=10),
                  note: str = Form("", max_length=5000), principal: Principal = public()) -> Response:
    gate = _gate(request, principal, STAFF)
    if gate is not None:
        return gate
    try:
        with session.begin_nested():
            req = requests.get_request(session, principal, request_id)
            requests.review(session, principal, req, decision, note or None)
    except PoiseError as exc:
        return render(request, "authority_message.html", principal, status_code=exc.status_code,
                      title="Review not recorded", message=exc.message)
    return RedirectResponse(f"/authority/requests/{request_id}", status_code=303)


@router.post("/authority/registrations/{registration_id}/verify", response_model=None)
def verify_submit(request: Request, registration_id: str, session: DbSession,
                  principal: Principal = public()) -> Response:
    gate = _gate(request, principal, (Role.ADMIN,))
    if gate is not None:
        return gate
    try:
        with session.begin_nested():
            authority, key = accounts.verify(session, registration_id, principal)
    except PoiseError as exc:
        return render(request, "authority_message.html", principal, status_code=exc.status_code,
                      title="Not verified", message=exc.message)
    return render(request, "authority_message.html", principal, title=f"{authority.name} verified",
                  message="Hand this API key to the authority over a verified channel. It is shown only once.",
                  secret=key.secret)
