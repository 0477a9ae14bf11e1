"""Every endpoint declares its roles, and every role is tried against every endpoint."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from poise.api.app import api_routes, create_app
from poise.api.deps import RoleRequirement
from poise.auth.roles import KEY_ROLES, Role
from poise.settings import Settings
from tests.conftest import auth

PLACEHOLDER = "01a20000-0000-7000-8000-000000000000"


def declared_roles(route: APIRoute) -> frozenset[Role] | None:
    """The roles a route's RoleRequirement admits (None: it declares none)."""
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        if isinstance(dep.call, RoleRequirement):
            return dep.call.roles
        stack.extend(dep.dependencies)
    return None


def all_routes() -> list[APIRoute]:
    return api_routes(create_app(Settings(database_url="sqlite://")))


ROUTES = all_routes()


def test_every_route_declares_roles() -> None:
    missing = [f"{sorted(r.methods)} {r.path}" for r in ROUTES if declared_roles(r) is None]
    assert not missing, f"endpoints without a role declaration: {missing}"


def test_role_matrix_is_not_trivial() -> None:
    assert len(ROUTES) >= 25
    restricted = [r for r in ROUTES if Role.PUBLIC not in (declared_roles(r) or ())]
    assert len(restricted) >= 15


def _concrete(path: str) -> str:
    path = re.sub(r"\{code\}", "FR", path)
    return re.sub(r"\{[^}]+\}", PLACEHOLDER, path)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{'|'.join(sorted(r.methods))} {r.path}")
def test_each_role_against_route(route: APIRoute, client: TestClient, keys: dict[str, str]) -> None:
    roles = declared_roles(route) or frozenset()
    path = _concrete(route.path)
    for method in sorted(route.methods - {"HEAD"}):
        for who in [None, *KEY_ROLES]:
            headers = auth(keys[who.value]) if who else {}
            kwargs = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
            response = client.request(method, path, headers=headers, follow_redirects=False, **kwargs)
            body = response.json() if response.headers.get("content-type", "").startswith("application/json") else None
            code = body.get("error", {}).get("code") if isinstance(body, dict) else None
            allowed = Role.PUBLIC in roles or (who is not None and who in roles)
            label = f"{method} {route.path} as {who.value if who else 'anonymous'}"
            if allowed:
                assert response.status_code != 401 and code != "role_forbidden", f"{label}: {response.text[:200]}"
                assert response.status_code < 500, f"{label}: {response.status_code} {response.text[:300]}"
            elif who is None:
                assert response.status_code == 401, f"{label} should need a key, got {response.status_code}"
            else:
                assert response.status_code == 403 and code == "role_forbidden", f"{label}: {response.status_code}"


def test_invalid_and_revoked_keys_are_rejected(client: TestClient, keys: dict[str, str]) -> None:
    assert client.get("/api/v1/me", headers=auth("poise_000000000000_nope")).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Basic abc"}).json()["error"]["code"] == "bad_auth_header"
    created = client.post("/api/v1/admin/keys", headers=auth(keys["admin"]), json={"name": "tmp", "role": "moderator"})
    assert created.status_code == 201
    secret, key_id = created.json()["secret"], created.json()["id"]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).json()["role"] == "moderator"
    assert client.delete(f"/api/v1/admin/keys/{key_id}", headers=auth(keys["admin"])).status_code == 200
    assert client.get("/api/v1/me", headers=auth(secret)).json()["error"]["code"] == "invalid_api_key"
