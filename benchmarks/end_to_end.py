"""End to end on embedded SQLite: ingest -> screening -> decision -> platform action, in one process.

    python -m benchmarks.end_to_end [--events N] [--quick]

Events are new posts across 200 channels; 10% contain a banked phrase or domain (obfuscated half the
time) and are removed, so each of those writes a decision, an action in the pull feed, audit entries and
counters. The fast path ingests batches of 1,000 events per transaction (how the HTTP API and
``poise screen`` work); the baseline sends the same kind of events one per transaction. Prints items per
second for both, the ratio, and checks that every matching post got exactly one decision and one action.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from poise.ingest.service import ingest_events
from poise.screening.bank_files import import_csv
from poise.screening.pipeline import ScreeningPipeline, build_screener
from poise.settings import Settings
from poise.store.db import Database
from poise.store.migrate import upgrade
from poise.store.models import Action, Decision

WORDS = ["news", "update", "weather", "match", "music", "photo", "meeting", "travel", "recipe", "market",
         "school", "river", "garden", "city", "council", "library", "film", "history", "science", "team",
         "player", "coach", "train", "station"]
BANKED = [f"miracle pill {i}" for i in range(500)] + [f"scam-shop-{i}.example" for i in range(500)]


def events(n: int, prefix: str, rng: random.Random) -> tuple[list[dict[str, Any]], int]:
    """``n`` post events; returns them and how many contain a banked signal."""
    out: list[dict[str, Any]] = []
    bad = 0
    for i in range(n):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 25)))
        if rng.random() < 0.10:
            signal = rng.choice(BANKED)
            if rng.random() < 0.5:
                signal = signal.replace("i", "1").upper()
            text += " " + signal
            bad += 1
        out.append({"event_id": f"{prefix}{i}", "type": "post.created", "post_id": f"{prefix}{i}",
                    "channel_id": f"chan{rng.randint(0, 199)}", "account_id": f"user{rng.randint(0, 4999)}",
                    "text": text})
    return out, bad


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--baseline-events", type=int, default=1_000)
    parser.add_argument("--quick", action="store_true", help="10k events, baseline on 300")
    args = parser.parse_args()
    n, n_base = (10_000, 300) if args.quick else (args.events, args.baseline_events)
    rng = random.Random(5)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        db = Database(url)
        upgrade(db)
        rows = "\n".join(f"{'domain' if '.' in s else 'raw_text'},{s}," for s in BANKED)
        with db.session() as s:
            import_csv(s, bank="bench", category="scam", text="signal_type,signal_value,tags\n" + rows,
                       actor="bench", actor_role="admin")
        settings = Settings(database_url=url, classifiers_enabled=False)
        screener = build_screener(db, settings)
        assert isinstance(screener, ScreeningPipeline)
        with db.read_session() as s:
            screener.banks.refresh(s)  # start-up work (compiling the bank), not per-item cost
        batch, bad = events(n, "e", rng)
        t0 = time.perf_counter()
        for start in range(0, n, 1000):
            with db.session() as s:
                ingest_events(s, batch[start:start + 1000], screener)
        fast = time.perf_counter() - t0
        with db.read_session() as s:
            decisions = s.execute(select(func.count()).select_from(Decision)
                                  .where(Decision.subject_type == "content")).scalar_one()
            actions = s.execute(select(func.count()).select_from(Action)
                                .where(Action.target_type == "content")).scalar_one()
            bans = s.execute(select(func.count()).select_from(Action)
                             .where(Action.kind == "ban_channel")).scalar_one()
        assert decisions == actions == bad, (decisions, actions, bad)

        single, _ = events(n_base, "b", rng)
        t0 = time.perf_counter()
        for ev in single:
            with db.session() as s:
                ingest_events(s, [ev], screener)
        slow = time.perf_counter() - t0
        db.dispose()
    print(f"events: {n:,} ({bad:,} removed: one decision + one action each, verified; "
          f"{bans} channels banned by aggregation)")
    print(f"batched, 1,000 events per transaction: {n / fast:,.0f} items/s")
    print(f"one event per transaction: {n_base / slow:,.0f} items/s on {n_base:,} events")
    print(f"ratio: {(n / fast) / (n_base / slow):.0f}x")


if __name__ == "__main__":
    main()
