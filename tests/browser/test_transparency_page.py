"""The daily report page renders with its charts in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from poise.transparency.publish import publish_daily
from tests.conftest import LiveServer
from tests.test_transparency import DAY, _seed

pytestmark = pytest.mark.browser


def test_daily_report_page(live_server: LiveServer, page: Page) -> None:
    _seed(live_server.database)
    with live_server.database.session() as s:
        publish_daily(s, DAY, threshold=5)
    page.goto(f"{live_server.url}/transparency")
    page.click(f"text={DAY}")
    assert page.locator("h1").inner_text() == f"Transparency report for {DAY}"
    assert page.locator("#chart-categories rect").count() == 4
    assert "Removals and restrictions: 62" in page.locator("main").inner_text()
