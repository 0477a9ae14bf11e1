"""The ``poise`` command: serve, migrate, demo data, keys, audit verification.

Contexts add their commands to the :data:`main` group in their own ``cli.py`` (see ``CONTEXT_COMMANDS``).
"""

from __future__ import annotations

import importlib
import sys

import click
from rich.console import Console

from poise.settings import get_settings
from poise.store.db import Database

console = Console()

CONTEXT_COMMANDS: list[str] = ["poise.transparency.cli", "poise.screening.cli", "poise.actions.cli",
                               "poise.authority.cli", "poise.stream.cli"]
"""Modules exposing ``register(group)`` to add their commands to ``poise``."""


def _db() -> Database:
    return Database(get_settings().database_url)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="poise")
def main() -> None:
    """Poise: trust-and-safety and lawful-request platform for messaging services.

    Configuration comes from POISE_* environment variables (see docs/configuration.md).
    """


@main.command()
@click.option("--host", default=None, help="Interface to bind (default: POISE_HOST, 127.0.0.1)")
@click.option("--port", default=None, type=int, help="Port (default: POISE_PORT, 8000)")
@click.option("--reload", is_flag=True, help="Reload on code changes (development)")
def serve(host: str | None, port: int | None, reload: bool) -> None:
    """Start the web server (API, pages and /docs)."""
    import uvicorn

    from poise.observability.http import configure_logging
    from poise.store.migrate import is_migrated

    settings = get_settings()
    configure_logging(settings.log_json)
    db = _db()
    if not is_migrated(db):
        raise click.ClickException("the database has no schema yet: run `poise migrate` first")
    db.dispose()
    uvicorn.run("poise.api.app:create_app", factory=True, host=host or settings.host, port=port or settings.port,
                reload=reload, log_level="info", log_config=None)


@main.command()
def migrate() -> None:
    """Create or upgrade the database schema (Alembic)."""
    from poise.store.migrate import upgrade

    db = _db()
    upgrade(db)
    console.print(f"[green]migrated[/green] {db.engine.url.render_as_string(hide_password=True)}")


@main.command("demo-data")
def demo_data() -> None:
    """Load demo jurisdictions, authorities, platform content and one key per role (idempotent)."""
    from poise.demo import load_demo

    db = _db()
    with db.session() as session:
        keys = load_demo(session)
    console.print("[green]demo data loaded[/green]. Demo API keys (for local use only):")
    for role, secret in keys.items():
        console.print(f"  {role:17} {secret}")


@main.group()
def admin() -> None:
    """Administration: API keys."""


@admin.command("create-key")
@click.option("--role", required=True, help="platform, moderator, senior-moderator, legal-officer, admin, "
              "authority, trusted-flagger")
@click.option("--name", default=None, help="Who the key is for")
@click.option("--subject-id", default=None, help="Authority or organisation id the key acts for")
def create_key_cmd(role: str, name: str | None, subject_id: str | None) -> None:
    """Create an API key and print its secret (shown once)."""
    from poise.auth.keys import create_key
    from poise.auth.roles import Role

    try:
        parsed = Role.parse(role)
    except ValueError as exc:
        raise click.BadParameter(f"unknown role {role!r}", param_hint="--role") from exc
    with _db().session() as session:
        issued = create_key(session, name=name or f"{parsed.value} key", role=parsed, subject_id=subject_id)
    click.echo(issued.secret)


@main.group()
def audit() -> None:
    """The hash-chained audit log."""


@audit.command("verify")
@click.option("--expect-head", default=None, help="A published head hash that must be in the chain")
def audit_verify(expect_head: str | None) -> None:
    """Check every link of the audit chain; exit 1 on any edited, missing or reordered entry."""
    from poise.audit.log import verify_chain

    with _db().read_session() as session:
        result = verify_chain(session, expect_head)
    if result.ok:
        console.print(f"[green]audit chain intact[/green]: {result.entries} entries, head {result.head_hash}")
        return
    console.print(f"[red]audit chain BROKEN[/red]: {result.problem}")
    sys.exit(1)


@main.group("db")
def db_group() -> None:
    """Developer database tools."""


@db_group.command("revision")
@click.option("-m", "--message", required=True, help="What the migration changes")
def db_revision(message: str) -> None:
    """Autogenerate a migration from model changes."""
    from poise.store.migrate import revision

    revision(_db(), message)


for _module in CONTEXT_COMMANDS:
    importlib.import_module(_module).register(main)
