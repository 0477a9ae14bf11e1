"""PDQ matching: exact range search (distance <= 31) over a large bank, PdqIndex vs numpy brute force.

    python -m benchmarks.pdq_matching [--hashes N] [--queries Q] [--quick]

Queries are bank hashes with 0..31 random bits flipped (each must find its source: recall is checked to
be 100%) plus unrelated random hashes. The brute-force baseline (numpy popcount over every hash) runs on
a sample of the same queries in the same process, and the two results must be identical. Prints build time,
queries per second, the ratio, the peak resident memory after building the index, and with --faiss the
speed of faiss' IndexBinaryMultiHash on the same data.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np

from poise.screening.pdq_index import BruteForcePdqIndex, PdqIndex


def perturbed(bank: np.ndarray, rng: np.random.Generator, n: int, max_bits: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` bank rows with up to ``max_bits`` bits flipped each, and the rows they came from."""
    sources = rng.integers(0, len(bank), n)
    queries = bank[sources].copy()
    for row in queries:
        for bit in rng.choice(256, size=int(rng.integers(0, max_bits + 1)), replace=False):
            row[bit // 8] ^= 1 << (bit % 8)
    return queries, sources


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def faiss_multi_hash_qps(bank: np.ndarray, queries: np.ndarray) -> float:
    """Queries per second of faiss' own multi-index hashing index on the same data (a reference point)."""
    import faiss

    index = faiss.IndexBinaryMultiHash(256, 16, 16)
    index.nflip = 1
    index.add(bank)
    t0 = time.perf_counter()
    index.range_search(queries, 32)
    return len(queries) / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hashes", type=int, default=10_000_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--baseline-queries", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="1M hashes, 500 queries")
    parser.add_argument("--faiss", action="store_true", help="also time faiss IndexBinaryMultiHash (needs ~3 GB more)")
    args = parser.parse_args()
    n_hashes, n_queries = (1_000_000, 500) if args.quick else (args.hashes, args.queries)
    rng = np.random.default_rng(42)
    bank = rng.integers(0, 256, size=(n_hashes, 32), dtype=np.uint8)
    keys = [str(i) for i in range(n_hashes)]
    near, sources = perturbed(bank, rng, n_queries * 9 // 10, 31)
    queries = np.concatenate([near, rng.integers(0, 256, size=(n_queries - len(near), 32), dtype=np.uint8)])

    t0 = time.perf_counter()
    index = PdqIndex()
    index.add(keys, bank)
    index.optimize()
    build = time.perf_counter() - t0
    index_mb = peak_rss_mb()
    t0 = time.perf_counter()
    found = index.search(queries, 31)
    fast = time.perf_counter() - t0
    index.threads = 1
    t0 = time.perf_counter()
    assert index.search(queries, 31) == found
    one_thread = time.perf_counter() - t0
    recall = sum(1 for q, src in enumerate(sources) if str(src) in {m.key for m in found[q]}) / len(sources)

    sample = queries[: args.baseline_queries]
    faiss_qps = faiss_multi_hash_qps(bank, queries[:200]) if args.faiss else None
    brute = BruteForcePdqIndex()
    brute.add(keys, bank)
    t0 = time.perf_counter()
    expected = brute.search(sample, 31)
    slow = time.perf_counter() - t0
    assert expected == found[: len(sample)], "index and brute force disagree"
    fast_qps, slow_qps, one_qps = len(queries) / fast, len(sample) / slow, len(queries) / one_thread
    print(f"bank: {n_hashes:,} PDQ hashes; queries: {len(queries):,} ({len(near):,} within 31 bits of a bank hash)")
    print(f"index build: {build:.1f} s; recall at d<=31: {recall:.1%}; identical to brute force on "
          f"{len(sample)} queries")
    print(f"PdqIndex (multi-index hashing, 16 x 16-bit substrings, 1 flip): {one_qps:,.0f} queries/s on one "
          f"thread, {fast_qps:,.0f} on all cores; process peak after building it (bank + index): {index_mb:,.0f} MB")
    if faiss_qps is not None:
        print(f"faiss IndexBinaryMultiHash (same scheme, for comparison): {faiss_qps:,.0f} queries/s")
    print(f"numpy brute force: {slow_qps:,.2f} queries/s")
    print(f"ratio (one thread each): {one_qps / slow_qps:,.0f}x; all cores vs one-thread baseline: "
          f"{fast_qps / slow_qps:,.0f}x")


if __name__ == "__main__":
    main()
