"""``poise webhooks``: register endpoints and run the delivery loop."""

from __future__ import annotations

import contextlib

import click

from poise.settings import get_settings
from poise.store.db import Database


@click.group("webhooks")
def webhooks_group() -> None:
    """Deliver actions to the platform by signed webhooks."""


@webhooks_group.command("add")
@click.argument("url")
@click.option("--name", default="platform", show_default=True)
@click.option("--from-start", is_flag=True, help="Also deliver every action recorded so far")
def add_cmd(url: str, name: str, from_start: bool) -> None:
    """Register URL; prints the endpoint id and its signing secret (shown once)."""
    from poise.actions.webhooks import add_endpoint

    with Database(get_settings().database_url).session() as session:
        endpoint, secret = add_endpoint(session, name=name, url=url, actor="cli", actor_role="admin",
                                        from_start=from_start)
        click.echo(f"{endpoint.id} {secret}")


@webhooks_group.command("run")
@click.option("--interval", default=1.0, show_default=True, help="Seconds to wait when there is nothing to send")
@click.option("--timeout", default=5.0, show_default=True, help="Seconds before a slow endpoint counts as failed")
def run_cmd(interval: float, timeout: float) -> None:
    """Deliver actions to every endpoint until interrupted."""
    from poise.actions.webhooks import run_dispatcher

    click.echo("delivering webhooks (Ctrl-C to stop)")
    with contextlib.suppress(KeyboardInterrupt):
        run_dispatcher(Database(get_settings().database_url), interval=interval, timeout=timeout)


def register(group: click.Group) -> None:
    """Add the action commands to ``poise``."""
    group.add_command(webhooks_group)
