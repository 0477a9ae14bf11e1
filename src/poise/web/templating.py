"""The one Jinja2 environment every page renders with."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from poise import __version__
from poise.auth.principal import ANONYMOUS, Principal

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
templates.env.globals["poise_version"] = __version__


def render(request: Request, template: str, principal: Principal = ANONYMOUS, status_code: int = 200,
           **context: Any) -> HTMLResponse:
    """Render a page; every template sees ``principal`` (for the navigation) and ``request``."""
    return templates.TemplateResponse(request, template, {"principal": principal, **context},
                                      status_code=status_code)
