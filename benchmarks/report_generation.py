"""Daily report generation over many decisions: SQL GROUP BY vs a naive Python loop over the same rows.

    python -m benchmarks.report_generation [--rows N] [--quick]

Generates N decisions for one day directly in a fresh SQLite database (bulk inserts plus the daily
counters decide_many maintains), then times ``compute_daily_report`` (reads the counters), a GROUP BY over
the decisions table, and a baseline that fetches every row and counts in Python. Prints all three and the
ratios, measured in the same run.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from rich.progress import Progress
from sqlalchemy import func, insert, select

from poise.actions.rollup import add_decisions
from poise.core.ids import new_id
from poise.store.db import Database
from poise.store.migrate import upgrade
from poise.store.models import Decision
from poise.transparency.daily import RESTRICTIVE, compute_daily_report, day_bounds

DAY = date(2026, 11, 20)
CATEGORIES = ["drugs", "csam", "terrorism", "scam", "spam", "hate_speech", "weapons", "other"]
SOURCES = ["automated_hash_match", "automated_rule", "automated_classifier", "user_notice", "trusted_flagger",
           "authority_order"]
OUTCOMES = [("content", "remove")] * 8 + [("channel", "ban_channel"), ("account", "suspend_account"),
                                           ("content", "no_action")]


def generate(db: Database, rows: int, chunk: int = 50_000) -> None:
    """Insert ``rows`` decisions spread over DAY (plus 10% on the next day, which must not be counted)."""
    rng = random.Random(7)
    start = datetime(DAY.year, DAY.month, DAY.day, tzinfo=UTC)
    with Progress() as progress:
        task = progress.add_task("generating decisions", total=rows)
        done = 0
        while done < rows:
            n = min(chunk, rows - done)
            batch = []
            for _ in range(n):
                subject_type, outcome = rng.choice(OUTCOMES)
                offset = timedelta(seconds=rng.randrange(int(86400 * 1.1)))
                batch.append(dict(id=new_id(), subject_type=subject_type, subject_id="s", outcome=outcome,
                                  source=rng.choice(SOURCES), category=rng.choice(CATEGORIES), decided_by="bench",
                                  created_at=start + offset, signal={}, territorial_scope=[],
                                  automated_detection=True, automated_decision="fully"))
            with db.session() as s:
                s.execute(insert(Decision), batch)
                add_decisions(s, batch)  # what decide_many does for every decision
            done += n
            progress.update(task, advance=n)


def naive_report(db: Database) -> Counter[str]:
    """Baseline: fetch every decision of the day and count in Python."""
    lo, hi = day_bounds(DAY)
    counts: Counter[str] = Counter()
    with db.read_session() as s:
        for category, subject_type, source, outcome in s.execute(select(
                Decision.category, Decision.subject_type, Decision.source, Decision.outcome).where(
                Decision.created_at >= lo, Decision.created_at < hi)):
            if outcome in RESTRICTIVE:
                counts[f"c:{category}"] += 1
                counts[f"o:{subject_type}"] += 1
                counts[f"m:{source}"] += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--quick", action="store_true", help="200k rows")
    args = parser.parse_args()
    rows = 200_000 if args.quick else args.rows
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade(db)
        generate(db, rows)
        t0 = time.perf_counter()
        with db.read_session() as s:
            report = compute_daily_report(s, DAY)
        fast = time.perf_counter() - t0
        lo, hi = day_bounds(DAY)
        t0 = time.perf_counter()
        with db.read_session() as s:
            grouped = s.execute(select(Decision.category, func.count()).where(
                Decision.created_at >= lo, Decision.created_at < hi, Decision.outcome.in_(RESTRICTIVE))
                .group_by(Decision.category)).all()
        group_by = time.perf_counter() - t0
        t0 = time.perf_counter()
        naive = naive_report(db)
        slow = time.perf_counter() - t0
        assert report["removals"]["total"] == sum(v for k, v in naive.items() if k.startswith("c:"))
        assert report["removals"]["total"] == sum(n for _, n in grouped)
        print(f"decisions generated: {rows:,}; restricted on the day: {report['removals']['total']:,}")
        print(f"daily report from counters:     {fast * 1000:.1f} ms")
        print(f"GROUP BY over decisions:        {group_by:.2f} s")
        print(f"naive Python loop baseline:     {slow:.2f} s")
        print(f"ratio report vs naive loop: {slow / fast:.0f}x; GROUP BY vs naive loop: {slow / group_by:.1f}x")
        db.dispose()


if __name__ == "__main__":
    main()
