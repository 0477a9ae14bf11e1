"""``poise screen`` and ``poise banks`` on a real SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from poise.cli import main
from poise.settings import get_settings


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("POISE_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    get_settings.cache_clear()
    runner = CliRunner()
    assert runner.invoke(main, ["migrate"]).exit_code == 0
    yield runner
    get_settings.cache_clear()


def test_banks_import_list_export_and_screen_a_file(runner: CliRunner, tmp_path: Path) -> None:
    plain = tmp_path / "domains.txt"
    plain.write_text("# scam domains\nwin-prize.example\n\nbad domain!\n", encoding="utf-8")
    imported = runner.invoke(main, ["banks", "import", "scam-domains", str(plain), "--category", "scam",
                                    "--format", "plain", "--type", "domain"])
    assert imported.exit_code == 0 and "added 1" in imported.output and "line 4" in imported.output
    listed = runner.invoke(main, ["banks", "list"])
    assert "scam-domains\tscam\tdomain: 1" in listed.output
    exported = runner.invoke(main, ["banks", "export", "scam-domains"])
    assert exported.output.splitlines() == ["signal_type,signal_value,tags", "domain,win-prize.example,"]
    assert runner.invoke(main, ["banks", "export", "nope"]).exit_code != 0
    unknown = runner.invoke(main, ["banks", "import", "x", str(plain), "--category", "nonsense"])
    assert unknown.exit_code != 0 and "unknown category" in unknown.output

    events = tmp_path / "events.jsonl"
    lines = [json.dumps({"event_id": f"e{i}", "type": "post.created", "post_id": f"p{i}", "channel_id": "c",
                         "text": "go to win-prize.example" if i % 2 else "hello"}) for i in range(10)]
    events.write_text("\n".join([*lines[:5], "{not json", *lines[5:]]) + "\n", encoding="utf-8")
    screened = runner.invoke(main, ["screen", str(events), "--batch-size", "4"])
    assert screened.exit_code == 0, screened.output
    summary = json.loads(next(line for line in screened.output.splitlines() if line.startswith("{")))
    assert summary["accepted"] == 10 and summary["rejected"] == 1 and summary["decisions"] >= 5
    assert "line 6" in screened.output
    again = runner.invoke(main, ["screen", str(events)])
    assert json.loads(next(line for line in again.output.splitlines() if line.startswith("{")))["duplicates"] == 10


def test_check_rules_refuses_a_bad_rules_file(runner: CliRunner, tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("item_rules:\n  - id: x1\n    when: {bank_category: [unicorns]}\n    then: {outcome: remove}\n")
    result = runner.invoke(main, ["screen", str(rules), "--rules", str(rules), "--check-rules"])
    assert result.exit_code != 0 and "unknown categories" in result.output
