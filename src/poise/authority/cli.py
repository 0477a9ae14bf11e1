"""``poise authority deadlines``: escalate requests near or past their deadline; expire preservations."""

from __future__ import annotations

import time

import click

from poise.settings import get_settings
from poise.store.db import Database


def register(main: click.Group) -> None:
    """Add the ``authority`` command group to ``poise``."""

    @main.group()
    def authority() -> None:
        """Authority requests."""

    @authority.command("deadlines")
    @click.option("--warn-fraction", default=0.25, show_default=True, type=click.FloatRange(0.0, 1.0),
                  help="Escalate when less than this share of a request's time window is left")
    @click.option("--interval", default=0, type=int, help="Repeat every N seconds (0: run once)")
    def deadlines_cmd(warn_fraction: float, interval: int) -> None:
        """Escalate open requests approaching (level 1) or past (level 2) their deadline; audited, alerted."""
        from poise.authority.deadlines import escalate_due
        from poise.authority.execution import expire_preservations

        db = Database(get_settings().database_url)
        while True:
            with db.session() as session:
                raised = escalate_due(session, warn_fraction=warn_fraction)
                expired = expire_preservations(session)
            for e in raised:
                state = "OVERDUE" if e.level == 2 else "approaching"
                click.echo(f"{state:11} {e.request_id} {e.request_type} {e.country} due {e.due_at.isoformat()}")
            click.echo(f"{len(raised)} escalated, {expired} preservations expired")
            if interval <= 0:
                return
            time.sleep(interval)
