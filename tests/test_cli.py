"""The ``poise`` command: migrate, demo data, keys and audit verification on a real SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from poise.cli import main
from poise.settings import get_settings


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("POISE_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_help_everywhere(runner: CliRunner) -> None:
    for args in ([], ["serve"], ["migrate"], ["demo-data"], ["admin", "create-key"], ["audit", "verify"]):
        result = runner.invoke(main, [*args, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output, args


def test_migrate_demo_key_and_verify(runner: CliRunner, tmp_path: Path) -> None:
    assert runner.invoke(main, ["migrate"]).exit_code == 0
    demo = runner.invoke(main, ["demo-data"])
    assert demo.exit_code == 0 and "demo-admin" in demo.output
    assert runner.invoke(main, ["demo-data"]).exit_code == 0  # idempotent
    key = runner.invoke(main, ["admin", "create-key", "--role", "senior_moderator", "--name", "Sam"])
    assert key.exit_code == 0 and key.output.startswith("poise_")
    bad = runner.invoke(main, ["admin", "create-key", "--role", "emperor"])
    assert bad.exit_code != 0 and "unknown role" in bad.output
    ok = runner.invoke(main, ["audit", "verify"])
    assert ok.exit_code == 0 and "intact" in ok.output
    import sqlite3

    with sqlite3.connect(tmp_path / "cli.db") as conn:
        conn.execute("UPDATE audit_entries SET actor = 'mallory' WHERE seq = 2")
    broken = runner.invoke(main, ["audit", "verify"])
    assert broken.exit_code == 1 and "BROKEN" in broken.output
