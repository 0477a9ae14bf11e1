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

    @report.command("scheduler")
    @click.option("--interval", default=300, type=int, help="Seconds between checks")
    @click.option("--once", is_flag=True, help="Publish what is due, then exit")
    def scheduler(interval: int, once: bool) -> None:
        """Publish each finished day's report (catching up missed days), forever or --once."""
        import time

        from poise.transparency.publish import catch_up

        settings = get_settings()
        db = Database(settings.database_url)
        while True:
            with db.session() as session:
                days = catch_up(session, datetime.now(UTC).date(), threshold=settings.report_small_count_threshold)
            for published_day in days:
                click.echo(f"published {published_day}")
            if once:
                return
            time.sleep(interval)

    register_dsa(report)
    register_tables(report)


def register_dsa(report: click.Group) -> None:
    """Add ``poise report dsa-sor``."""

    @report.command("dsa-sor")
    @click.option("--from", "start", required=True, help="First UTC date, YYYY-MM-DD")
    @click.option("--to", "end", required=True, help="Last UTC date (inclusive), YYYY-MM-DD")
    @click.option("--out", required=True, type=click.Path(file_okay=False), help="Directory for batch files")
    def dsa_sor(start: str, end: str, out: str) -> None:
        """Export statements of reasons as validated DSA Transparency Database batches (JSON, 100 each)."""
        import json
        from pathlib import Path

        from poise.transparency.daily import day_bounds
        from poise.transparency.dsa import batches, statements_between

        lo, _ = day_bounds(date.fromisoformat(start))
        _, hi = day_bounds(date.fromisoformat(end))
        target = Path(out)
        target.mkdir(parents=True, exist_ok=True)
        db = Database(get_settings().database_url)
        count = 0
        with db.read_session() as session:
            try:
                for number, body in enumerate(batches(statements_between(session, lo, hi)), start=1):
                    (target / f"statements-{number:06d}.json").write_text(json.dumps(body, ensure_ascii=False))
                    count += len(body["statements"])
            except ValueError as exc:
                raise click.ClickException(str(exc)) from exc
        click.echo(f"{count} statements exported to {target}")


def register_tables(report: click.Group) -> None:
    """Add ``poise report dsa-tables``."""

    @report.command("dsa-tables")
    @click.option("--from", "start", required=True, help="First day of the reporting period, YYYY-MM-DD")
    @click.option("--to", "end", required=True, help="Last day of the reporting period, YYYY-MM-DD")
    @click.option("--service", default="Poise-screened messaging service", help="Service name for the tables")
    @click.option("--out", required=True, type=click.Path(file_okay=False), help="Directory for the CSV files")
    def dsa_tables(start: str, end: str, service: str, out: str) -> None:
        """Write the harmonised DSA transparency-report tables (Parts 3 to 8) as CSV."""
        from pathlib import Path

        from poise.transparency.dsa_tables import transparency_tables

        target = Path(out)
        target.mkdir(parents=True, exist_ok=True)
        with Database(get_settings().database_url).read_session() as session:
            tables = transparency_tables(session, date.fromisoformat(start), date.fromisoformat(end), service)
        for name, text in tables.items():
            (target / name).write_text(text, "utf-8")
        click.echo(f"{len(tables)} tables written to {target}")
