"""Home and sign-in pages. Signing in stores the API key in an HttpOnly, SameSite=Strict cookie."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from poise.api.deps import DbSession, public
from poise.auth.keys import authenticate
from poise.auth.principal import Principal
from poise.web.templating import render

router = APIRouter(include_in_schema=False)
SESSION_COOKIE = "poise_key"


def _safe_next(target: str) -> str:
    return target if target.startswith("/") and not target.startswith("//") else "/"


@router.get("/", response_class=HTMLResponse)
def home(request: Request, principal: Principal = public()) -> HTMLResponse:
    return render(request, "home.html", principal)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/", principal: Principal = public()) -> HTMLResponse:
    return render(request, "login.html", principal, next=_safe_next(next), error=None)


@router.post("/login", response_model=None)
def login(request: Request, session: DbSession, api_key: str = Form(..., max_length=300),
          next: str = Form("/", max_length=500), principal: Principal = public()) -> Response:
    found = authenticate(session, api_key.strip())
    if found is None:
        return render(request, "login.html", principal, status_code=401, next=_safe_next(next),
                      error="That key is unknown or revoked.")
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, api_key.strip(), httponly=True, samesite="strict", max_age=12 * 3600)
    return response


@router.post("/logout", response_model=None)
def logout(principal: Principal = public()) -> Response:
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
