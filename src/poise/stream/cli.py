"""``poise worker``: a screening worker on the JetStream event stream."""

from __future__ import annotations

import json
import logging

import click

from poise.settings import get_settings
from poise.store.db import Database


@click.command("worker")
@click.option("--batch", default=8, show_default=True, help="Messages fetched at a time (each up to 500 events)")
@click.option("--idle-exit", default=None, type=float, help="Exit after this many seconds without messages")
def worker_cmd(batch: int, idle_exit: float | None) -> None:
    """Consume content events from JetStream, screen, decide and act (run as many as you like)."""
    from poise.screening.pipeline import build_screener
    from poise.stream.worker import main_loop

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = get_settings()
    db = Database(settings.database_url)
    stats = main_loop(db, build_screener(db, settings), nats_url=settings.nats_url, stream=settings.nats_stream,
                      batch=batch, idle_exit=idle_exit)
    click.echo(json.dumps({"messages": stats.messages, "events": stats.events, "decisions": stats.decisions,
                           "retries": stats.retries}))


def register(group: click.Group) -> None:
    """Add ``poise worker``."""
    group.add_command(worker_cmd)
