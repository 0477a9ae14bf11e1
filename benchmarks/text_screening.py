"""Text screening: 10k keyword patterns over short messages, Hyperscan matcher vs Python ``re`` alternation.

    python -m benchmarks.text_screening [--patterns N] [--messages M] [--quick]

The Hyperscan side normalises and scans batches of messages (word view and separator-free view). Two
baselines run in the same process: the same job in plain ``re`` (normalise, then a word alternation and a
separator-free alternation), and the word alternation alone over pre-normalised text (which favours the
baseline). Prints messages per second and both ratios, and checks the matching counts agree.
"""

from __future__ import annotations

import argparse
import random
import re
import string
import time

from poise.screening.text import HyperscanMatcher, TextPattern, normalise


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(5, 10)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patterns", type=int, default=10_000)
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--quick", action="store_true", help="10k messages, baseline on 1k")
    args = parser.parse_args()
    rng = random.Random(11)
    keywords = list({_word(rng) for _ in range(args.patterns)})
    vocabulary = [_word(rng) for _ in range(5000)]
    messages = args.messages if not args.quick else 10_000
    texts = [" ".join(rng.choice(vocabulary) for _ in range(rng.randint(5, 20)))
             + (" " + rng.choice(keywords) if rng.random() < 0.05 else "") for _ in range(messages)]
    matcher = HyperscanMatcher([TextPattern(i, "keyword", k) for i, k in enumerate(keywords)])
    t0 = time.perf_counter()
    fast_hits = sum(1 for hits in matcher.match_many(texts) if hits)
    fast = time.perf_counter() - t0

    # Baseline A: the same job in plain Python ``re``: normalise each message, then one alternation over
    # the normalised text (whole words) and one over the separator-free text (spaced-out spellings).
    words = re.compile(r"(?:^| )(?:" + "|".join(map(re.escape, keywords)) + r")(?:$| )")
    squashed = re.compile("|".join(map(re.escape, keywords)))
    sample = texts[: max(1000, messages // 10)]
    t0 = time.perf_counter()
    same_job_hits = 0
    for text in sample:
        norm = normalise(text)
        same_job_hits += bool(words.search(norm) or squashed.search(norm.replace(" ", "")))
    same_job = time.perf_counter() - t0
    # Baseline B (favours the baseline): the word alternation alone over pre-normalised text.
    normalised = [normalise(t) for t in sample]
    t0 = time.perf_counter()
    scan_only_hits = sum(1 for t in normalised if words.search(t))
    scan_only = time.perf_counter() - t0

    fast_sample_hits = sum(1 for hits in matcher.match_many(sample) if hits)
    assert fast_sample_hits == same_job_hits >= scan_only_hits, (fast_sample_hits, same_job_hits, scan_only_hits)
    fast_rate = messages / fast
    same_job_rate, scan_only_rate = len(sample) / same_job, len(sample) / scan_only
    print(f"patterns: {len(keywords):,}; messages: {messages:,} ({fast_hits:,} matching)")
    print(f"hyperscan matcher, batched, with normalisation: {fast_rate:,.0f} msgs/s")
    print(f"python re, same job (normalise + word and squashed alternations): {same_job_rate:,.0f} msgs/s "
          f"on {len(sample):,} messages")
    print(f"python re, word alternation only, pre-normalised: {scan_only_rate:,.0f} msgs/s")
    print(f"ratio vs same job: {fast_rate / same_job_rate:.0f}x; vs pre-normalised scan only: "
          f"{fast_rate / scan_only_rate:.0f}x")


if __name__ == "__main__":
    main()
