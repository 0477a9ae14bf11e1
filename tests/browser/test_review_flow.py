"""A user files a report, a moderator decides it in the console, the user sees the outcome and appeals,
and a second moderator decides the appeal: in real Chromium over real HTTP."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page

from poise.auth.keys import create_key
from poise.auth.roles import Role
from poise.platform.service import upsert_content
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser


def _sign_in(page: Page, base: str, key: str) -> None:
    page.goto(base + "/login")
    page.fill("input[name=api_key]", key)
    page.click("button[type=submit]")


def test_report_decide_see_outcome_and_appeal(live_server: LiveServer, page: Page, browser: Browser) -> None:
    base = live_server.url
    with live_server.database.session() as s:
        upsert_content(s, "post-42", text="selling pills, dm me")
        first = create_key(s, name="Mo", role=Role.MODERATOR).secret
        second = create_key(s, name="Nia", role=Role.MODERATOR).secret

    # a user reports the post
    page.goto(base + "/report")
    page.select_option("select[name=category]", "drugs")
    page.fill("input[name=location]", "https://t.example/shop/post-42")
    page.fill("textarea[name=explanation]", "The post offers drugs for sale with delivery.")
    page.fill("input[name=notifier_name]", "Ana")
    page.fill("input[name=notifier_email]", "ana@example.org")
    page.check("input[name=good_faith]")
    page.click("#report-form button[type=submit]")
    tracking = page.get_attribute("#tracking-link", "href")
    assert tracking and "token=" in tracking
    page.goto(base + tracking)
    assert page.inner_text("#notice-status") == "received"

    # a moderator decides it in the console
    mod = browser.new_context().new_page()
    _sign_in(mod, base, first)
    mod.goto(base + "/console")
    mod.click(".case-row a")
    assert "selling pills" in mod.inner_text("#case-content")
    mod.select_option("#decide-form select[name=outcome]", "remove")
    mod.fill("#decide-form input[name=reference]", "Terms of service 3.1 (illegal goods)")
    mod.click("#decide-form button[type=submit]")
    assert mod.locator(".case-row").count() == 0

    # the user sees the outcome and the statement of reasons, and appeals
    page.goto(base + tracking)
    assert page.inner_text("#notice-outcome") == "remove"
    assert "Terms of service 3.1" in page.inner_text("#statement")
    page.fill("#appeal-form textarea[name=reason]", "Please check the other posts of this seller too.")
    page.click("#appeal-form button[type=submit]")
    assert page.inner_text("#appeal-status") == "open"

    # the original moderator may not decide the appeal; a second one does
    mod.goto(base + "/console")
    mod.fill(".appeal-form textarea[name=reasons]", "I decided this myself.")
    mod.click(".appeal-form button[type=submit]")
    assert "other than the original decider" in mod.inner_text("#console-error")
    other = browser.new_context().new_page()
    _sign_in(other, base, second)
    other.goto(base + "/console")
    other.select_option(".appeal-form select[name=result]", "uphold")
    other.fill(".appeal-form textarea[name=reasons]", "The removal stands: the post offers drugs for sale.")
    other.click(".appeal-form button[type=submit]")
    assert other.locator(".appeal-form").count() == 0
    page.goto(base + tracking)
    assert page.inner_text("#appeal-status") == "decided: upheld"
    assert "offers drugs for sale" in page.inner_text("#appeal-reasons")
