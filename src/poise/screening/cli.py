"""``poise screen`` (screen a JSONL file of platform events) and ``poise banks`` (list/import/export)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from poise.settings import get_settings
from poise.store.db import Database

console = Console(stderr=True)


def _db() -> Database:
    return Database(get_settings().database_url)


def _read_jsonl(path: Path) -> tuple[list[tuple[int, dict[str, Any]]], list[tuple[int, str]]]:
    """(line number, event) for each JSON object line, and (line number, reason) for the others."""
    events: list[tuple[int, dict[str, Any]]] = []
    bad: list[tuple[int, str]] = []
    with path.open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                bad.append((line_no, f"not JSON: {exc.msg}"))
                continue
            if not isinstance(value, dict):
                bad.append((line_no, "not a JSON object"))
                continue
            events.append((line_no, value))
    return events, bad


@click.command("screen")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--batch-size", default=1000, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--rules", "rules_file", default=None, type=click.Path(exists=True, dir_okay=False),
              help="Screening rules YAML (default: POISE_SCREENING_RULES or the shipped rules)")
@click.option("--check-rules", is_flag=True, help="Only validate the rules and exit")
def screen_cmd(file: Path, batch_size: int, rules_file: str | None, check_rules: bool) -> None:
    """Ingest and screen FILE (JSON lines, one platform event per line), with a progress bar."""
    from poise.ingest.service import ingest_events
    from poise.screening.pipeline import build_screener

    settings = get_settings()
    if rules_file:
        settings = settings.model_copy(update={"screening_rules": rules_file})
    from poise.core.errors import Unprocessable

    db = _db()
    try:
        screener = build_screener(db, settings)
    except Unprocessable as exc:
        problems = "; ".join(exc.details) if isinstance(exc.details, list) else ""
        raise click.ClickException(f"{exc.message}: {problems}" if problems else exc.message) from exc
    if check_rules:
        console.print("[green]rules valid[/green]")
        return
    events, bad = _read_jsonl(file)
    totals = {"accepted": 0, "duplicates": 0, "rejected": len(bad), "decisions": 0}
    started = time.perf_counter()
    columns = (TextColumn("screening"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]}"),
               TimeRemainingColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("screen", total=len(events), rate="")
        for start in range(0, len(events), batch_size):
            chunk = events[start:start + batch_size]
            with db.session() as session:
                result = ingest_events(session, [event for _, event in chunk], screener)
            totals["accepted"] += result.accepted
            totals["duplicates"] += result.duplicates
            totals["rejected"] += result.rejected
            totals["decisions"] += sum(len(i.decisions) for i in result.items)
            for item in result.items:
                if item.status == "rejected":
                    bad.append((chunk[item.index][0], item.reason or "rejected"))
            done = start + len(chunk)
            progress.update(task, completed=done, rate=f"{done / (time.perf_counter() - started):,.0f} items/s")
    elapsed = time.perf_counter() - started
    click.echo(json.dumps({**totals, "seconds": round(elapsed, 3),
                           "items_per_second": round(len(events) / elapsed) if elapsed else None}))
    for line_no, reason in sorted(bad)[:20]:
        console.print(f"[yellow]line {line_no}[/yellow]: {reason}")
    if len(bad) > 20:
        console.print(f"... and {len(bad) - 20} more rejected events")


@click.group("banks")
def banks_group() -> None:
    """Banks of known-bad (and known-good) signals."""


@banks_group.command("list")
def banks_list() -> None:
    """Every bank with its category and signal counts."""
    from poise.screening.bank_files import bank_summaries

    with _db().read_session() as session:
        for bank in bank_summaries(session):
            counts = ", ".join(f"{k}: {v}" for k, v in sorted(bank["signals"].items())) or "empty"
            flags = " (negative)" if bank["negative"] else ""
            click.echo(f"{bank['name']}{flags}\t{bank['category']}\t{counts}")


@banks_group.command("import")
@click.argument("bank")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--category", required=True, help="Taxonomy category of the bank (csam, terrorism, scam, drugs...)")
@click.option("--format", "fmt", type=click.Choice(["csv", "plain"]), default="csv", show_default=True)
@click.option("--type", "signal_type", default=None, help="Signal type of a plain list (pdq, md5, sha256, url...)")
@click.option("--negative", is_flag=True, help="A bank of known-good signals that suppress matches")
@click.option("--source", default="import", help="Where the signals come from (e.g. an NGO or hash-sharing feed)")
def banks_import(bank: str, file: Path, category: str, fmt: str, signal_type: str | None, negative: bool,
                 source: str) -> None:
    """Import signals into BANK from a ThreatExchange/HMA CSV or a plain list."""
    from poise.screening.bank_files import import_csv, import_plain
    from poise.screening.banks import get_or_create_bank
    from poise.taxonomy import CATEGORIES

    if category not in CATEGORIES:
        raise click.BadParameter(f"unknown category {category!r}", param_hint="--category")
    if fmt == "plain" and not signal_type:
        raise click.BadParameter("a plain list needs --type", param_hint="--type")
    text = file.read_text(encoding="utf-8")
    with _db().session() as session:
        get_or_create_bank(session, bank, category=category, source=source, is_negative=negative)
        if fmt == "csv":
            result = import_csv(session, bank=bank, category=category, text=text, actor="cli", actor_role="admin",
                                source_ref=file.name)
        else:
            assert signal_type
            result = import_plain(session, bank=bank, category=category, signal_type=signal_type, text=text,
                                  actor="cli", actor_role="admin", source_ref=file.name)
    click.echo(f"added {result.added}, already present {result.already_present}, rejected {len(result.rejected)}")
    for line_no, reason in result.rejected[:20]:
        console.print(f"[yellow]line {line_no}[/yellow]: {reason}")
    if result.rejected and not result.added and not result.already_present:
        sys.exit(1)


@banks_group.command("export")
@click.argument("bank")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
def banks_export(bank: str, output: Path | None) -> None:
    """Write BANK's active signals as ThreatExchange/HMA CSV (stdout by default)."""
    from poise.core.errors import NotFound
    from poise.screening.bank_files import export_csv

    try:
        with _db().read_session() as session:
            text = export_csv(session, bank)
    except NotFound as exc:
        raise click.ClickException(exc.message) from exc
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


def register(group: click.Group) -> None:
    """Add the screening commands to ``poise``."""
    group.add_command(screen_cmd)
    group.add_command(banks_group)
