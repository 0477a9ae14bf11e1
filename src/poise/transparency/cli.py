"""``poise report daily --date D``: compute and publish a day's report."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import click

from poise.settings import get_settings
from poise.store.db import Database
from poise.transparency.publish import publish_daily


def register(main: click.Group) -> None:
    """Add the ``report`` command group to ``poise``."""

    @main.group()
    def report() -> None:
        """Transparency reports."""

    @report.command("daily")
    @click.option("--date", "day", default=None, help="UTC date YYYY-MM-DD (default: yesterday)")
    def daily(day: str | None) -> None:
        """Publish the daily report (a new version only if the numbers changed)."""
        settings = get_settings()
        target = date.fromisoformat(day) if day else datetime.now(UTC).date() - timedelta(days=1)
        db = Database(settings.database_url)
        with db.session() as session:
            published = publish_daily(session, target, threshold=settings.report_small_count_threshold)
        click.echo(f"{target} version {published.version} sha256 {published.content_hash}")
