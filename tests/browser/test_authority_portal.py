"""An authority signs in to the portal, submits a TCO removal order and sees its status, in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.authority_support import authority_keys, seed_platform
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser


def test_authority_submits_and_tracks_a_request(live_server: LiveServer, page: Page) -> None:
    seed_platform(live_server.database)
    keys, _ = authority_keys(live_server.database)
    page.goto(live_server.url + "/authority")
    assert "/login" in page.url  # the portal asks to sign in first
    page.fill("input[name=api_key]", keys["FR"])
    page.click("button[type=submit]")
    assert page.locator("h1").inner_text() == "Authority portal"
    assert "Office anti-cybercriminalité (OFAC) - PHAROS" in page.locator("main").inner_text()
    assert page.locator("text=No requests yet.").count() == 1
    form = page.locator("#new-request")
    form.locator("select[name=request_type]").select_option("tco_removal_order")
    form.locator("input[name=reference]").fill("OFAC-TCO-WEB-1")
    form.locator("input[name=category]").fill("terrorism")
    form.locator("textarea[name=targets]").fill("channel:chan-terror")
    form.locator("textarea[name=description]").fill("Terrorist propaganda channel")
    form.locator("button[type=submit]").click()
    assert page.locator("h1").inner_text() == "Request OFAC-TCO-WEB-1"
    assert page.locator("#request-status").inner_text() == "complied"
    actions = page.locator("#actions").inner_text()
    assert "ban_channel" in actions and "preserve" in actions
    page.click('a:text-is("Back")')
    row = page.locator("#my-requests tbody tr")
    assert row.count() == 1 and row.locator(".status").inner_text() == "complied"
    # a mistake in the form comes back as a message, not an error page
    page.locator("#new-request textarea[name=targets]").fill("channel:no-such-channel")
    page.locator("#new-request button[type=submit]").click()
    assert "unknown channel" in page.locator(".error").inner_text()
