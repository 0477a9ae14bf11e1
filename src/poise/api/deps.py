"""Request dependencies: the database session, the caller, and each endpoint's role requirement.

Every endpoint declares who may call it with ``principal: Principal = requires(Role.X, ...)``; the role
matrix test reads these declarations from the routes and checks every role against every endpoint.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Annotated, Any

from fastapi import Cookie, Depends, Header, Request
from sqlalchemy.orm import Session

from poise.auth.keys import authenticate
from poise.auth.principal import ANONYMOUS, Principal
from poise.auth.roles import Role
from poise.core.errors import PoiseError
from poise.store.db import Database


class AuthRequired(PoiseError):
    status_code = 401
    code = "auth_required"


class RoleForbidden(PoiseError):
    status_code = 403
    code = "role_forbidden"


def get_db(request: Request) -> Database:
    """The app's database."""
    db: Database = request.app.state.db
    return db


def db_session(request: Request) -> Iterator[Session]:
    """A session committed after the endpoint returns and before the response is sent."""
    with get_db(request).session() as session:
        yield session


DbSession = Annotated[Session, Depends(db_session, scope="function")]


def _presented_key(authorization: str | None, x_api_key: str | None) -> str | None:
    if x_api_key:
        return x_api_key.strip()
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthRequired("use 'Authorization: Bearer <key>' or 'X-API-Key: <key>'", code="bad_auth_header")
        return token.strip()
    return None


def current_principal(
    request: Request,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
    x_api_key: Annotated[str | None, Header(include_in_schema=False)] = None,
    poise_key: Annotated[str | None, Cookie(include_in_schema=False)] = None,
) -> Principal:
    """The caller: anonymous without a key; 401 for a key that is unknown or revoked.

    Keys come from ``X-API-Key``, ``Authorization: Bearer`` or the web session cookie ``poise_key``.
    """
    header_secret = _presented_key(authorization, x_api_key)
    secret = header_secret or poise_key
    if secret is None:
        return ANONYMOUS
    with get_db(request).read_session() as session:
        principal = authenticate(session, secret)
    if principal is None:
        if header_secret is None:
            return ANONYMOUS  # a stale web session cookie: browse as the public
        raise AuthRequired("the API key is unknown or revoked", code="invalid_api_key")
    request.state.principal = principal
    return principal


class RoleRequirement:
    """A dependency admitting only callers whose role is in ``roles`` (``Role.PUBLIC`` admits everyone)."""

    def __init__(self, roles: Iterable[Role]) -> None:
        self.roles = frozenset(roles)
        if not self.roles:
            raise ValueError("an endpoint must declare at least one role")

    def __call__(self, principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if Role.PUBLIC in self.roles:
            return principal
        if principal.is_anonymous:
            raise AuthRequired("this endpoint needs an API key")
        if principal.role not in self.roles:
            allowed = ", ".join(sorted(r.value for r in self.roles))
            raise RoleForbidden(f"role {principal.role.value} may not call this endpoint (allowed: {allowed})")
        return principal


def requires(*roles: Role | Iterable[Role]) -> Any:
    """Declare an endpoint's roles: ``principal: Principal = requires(Role.ADMIN, MODERATORS)``."""
    flat: list[Role] = []
    for item in roles:
        if isinstance(item, Role):
            flat.append(item)
        else:
            flat.extend(item)
    return Depends(RoleRequirement(flat))


def public() -> Any:
    """Declare a public endpoint (no key needed; a presented key must still be valid)."""
    return requires(Role.PUBLIC)
