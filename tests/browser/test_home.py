"""The home page and sign-in work in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.conftest import LiveServer, issue_keys

pytestmark = pytest.mark.browser


def test_home_and_sign_in(live_server: LiveServer, page: Page) -> None:
    keys = issue_keys(live_server.database)
    pg = page
    pg.goto(live_server.url + "/")
    assert pg.locator("h1").inner_text() == "Poise"
    pg.click("text=Sign in")
    pg.fill("input[name=api_key]", "poise_000000000000_wrong")
    pg.click("button[type=submit]")
    assert "unknown or revoked" in pg.locator(".error").inner_text()
    pg.fill("input[name=api_key]", keys["moderator"])
    pg.click("button[type=submit]")
    assert pg.locator("text=Review console").count() == 1
    assert "Sign out" in pg.locator("header").inner_text()
