"""``poise worker``: a screening worker on the JetStream event stream."""

from __future__ import annotations

import json

import click

from poise.settings import get_settings
from poise.store.db import Database


@click.command("worker")
@click.option("--batch", default=8, show_default=True, help="Messages fetched at a time (each up to 500 events)")
@click.option("--idle-exit", default=None, type=float, help="Exit after this many seconds without messages")
@click.option("--metrics-port", default=None, type=int, help="Serve Prometheus metrics on this port")
def worker_cmd(batch: int, idle_exit: float | None, metrics_port: int | None) -> None:
    """Consume content events from JetStream, screen, decide and act (run as many as you like)."""
    from prometheus_client import start_http_server

    from poise.observability.http import configure_logging
    from poise.screening.pipeline import build_screener
    from poise.stream.worker import main_loop

    settings = get_settings()
    configure_logging(settings.log_json)
    if metrics_port:
        start_http_server(metrics_port, addr="127.0.0.1")
    db = Database(settings.database_url)
    stats = main_loop(db, build_screener(db, settings), nats_url=settings.nats_url, stream=settings.nats_stream,
                      batch=batch, idle_exit=idle_exit)
    click.echo(json.dumps({"messages": stats.messages, "events": stats.events, "decisions": stats.decisions,
                           "retries": stats.retries}))


def register(group: click.Group) -> None:
    """Add ``poise worker``."""
    group.add_command(worker_cmd)
