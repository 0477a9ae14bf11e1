"""Finding known PDQ hashes within a Hamming distance, exactly, at tens of millions of hashes.

:class:`PdqIndex` is a multi-index hash (Norouzi et al.): the 256 bits are cut into 16 substrings of 16
bits. If two hashes are within 31 bits, at least one of their 16 substrings differs in at most one bit
(otherwise the distance would be at least 2 x 16 = 32). So looking up, for each substring of a query, the
bucket of its value and the 16 buckets one bit away (17 x 16 = 272 buckets) yields every hash at distance
<= 31, and checking those candidates' full distances makes the search exact.

Buckets are not hash maps but one sorted permutation per substring plus bucket offsets (numpy), so a
batch of queries is answered with a few vectorised gathers: about 1 GB for 10M hashes (codes 320 MB, row
permutations 640 MB). New hashes go to a small delta searched by brute force and are merged into the
sorted structure once the delta fills. :class:`BruteForcePdqIndex` compares against every hash: the
reference the tests check the index against, and the benchmark's baseline.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from poise.screening.media import DEFAULT_PDQ_THRESHOLD, PDQ_BITS, hex_to_bytes

SUBSTRINGS = 16
SUBSTRING_BITS = 16
MAX_EXACT_THRESHOLD = SUBSTRINGS * 2 - 1
"""With one flip per substring, the search is exact up to this distance (31)."""
_BUCKETS = 1 << SUBSTRING_BITS
_FLIPS = np.array([0] + [1 << k for k in range(SUBSTRING_BITS)], dtype=np.uint16)
_PROBES_PER_QUERY = SUBSTRINGS * len(_FLIPS)
_QUERY_BATCH = 32
_DELTA_LIMIT = 16_384
_THREADS = max(1, min(4, os.cpu_count() or 1))


@dataclass(frozen=True)
class PdqMatch:
    """A known hash found near a query: its key (e.g. a bank signal id) and the distance."""

    key: str
    distance: int


def hashes_to_array(hexes: Iterable[str]) -> np.ndarray:
    """Hex PDQ hashes -> an (n, 32) uint8 array."""
    raw = b"".join(hex_to_bytes(h) for h in hexes)
    return np.frombuffer(raw, dtype=np.uint8).reshape(-1, PDQ_BITS // 8)


def _as_codes(hashes: np.ndarray | Sequence[str]) -> np.ndarray:
    array = hashes if isinstance(hashes, np.ndarray) else hashes_to_array(hashes)
    return np.ascontiguousarray(array, dtype=np.uint8).reshape(-1, PDQ_BITS // 8)


def _distances(codes: np.ndarray, query_words: np.ndarray) -> np.ndarray:
    """Hamming distances between (n, 32) codes and one query as 4 uint64 words."""
    return np.bitwise_count(codes.view(np.uint64) ^ query_words).sum(axis=1, dtype=np.int32)


class PdqIndex:
    """Exact range search over PDQ hashes (distance <= 31): multi-index hashing over sorted substrings.

    Keys are kept beside the codes (row order). A removed key is filtered out of results at once;
    :meth:`compact` drops removed rows for good.
    """

    def __init__(self, threads: int | None = None) -> None:
        self.threads = threads or _THREADS
        self._reset()

    def _reset(self) -> None:
        self._codes = np.zeros((0, PDQ_BITS // 8), dtype=np.uint8)
        self._keys = np.zeros(0, dtype="S1")
        self._sorted_rows = 0  # rows [0, _sorted_rows) are in the substring structure, the rest is the delta
        self._order = np.zeros((SUBSTRINGS, 0), dtype=np.int32)
        self._offsets = np.zeros((SUBSTRINGS, _BUCKETS + 1), dtype=np.int64)
        self._removed: set[int] = set()

    def __len__(self) -> int:
        return len(self._codes) - len(self._removed)

    def add(self, keys: Sequence[str], hashes: np.ndarray | Sequence[str]) -> None:
        """Add hashes (hex strings or an (n, 32) uint8 array) under their keys."""
        codes = _as_codes(hashes)
        if len(keys) != len(codes):
            raise ValueError("one key per hash")
        if not len(codes):
            return
        self._codes = np.concatenate([self._codes, codes])
        self._keys = np.concatenate([self._keys, np.asarray([k.encode() for k in keys], dtype="S")])
        if len(self._codes) - self._sorted_rows > _DELTA_LIMIT:
            self.optimize()

    def optimize(self) -> None:
        """Sort every row into the substring structure (the delta becomes empty); done after big loads."""
        n = len(self._codes)
        chunks = self._codes.view("<u2")  # (n, 16) substrings
        self._order = np.empty((SUBSTRINGS, n), dtype=np.int32)
        for c in range(SUBSTRINGS):
            values = chunks[:, c]
            self._order[c] = np.argsort(values, kind="stable")
            self._offsets[c, 1:] = np.cumsum(np.bincount(values, minlength=_BUCKETS))
        self._sorted_rows = n

    def remove(self, keys: Iterable[str]) -> None:
        """Stop returning these keys (quarantine / deletion)."""
        gone = np.asarray([k.encode() for k in keys], dtype="S")
        self._removed.update(np.flatnonzero(np.isin(self._keys, gone)).tolist())

    def compact(self) -> None:
        """Drop removed rows and rebuild."""
        if not self._removed:
            return
        keep = np.setdiff1d(np.arange(len(self._codes)), np.fromiter(self._removed, dtype=np.int64))
        codes, keys = self._codes[keep], self._keys[keep]
        self._reset()
        self._codes, self._keys = codes, keys
        self.optimize()

    def _search_sorted(self, queries: np.ndarray, threshold: int) -> list[list[tuple[int, int]]]:
        """(row, distance) pairs per query from the substring structure; batches run on every core
        (numpy releases the GIL in the gathers and popcounts)."""
        if not self._sorted_rows or not len(queries):
            return [[] for _ in range(len(queries))]
        batches = [queries[i:i + _QUERY_BATCH] for i in range(0, len(queries), _QUERY_BATCH)]
        if len(batches) == 1 or self.threads == 1:
            return [pairs for batch in batches for pairs in self._search_batch(batch, threshold)]
        with ThreadPoolExecutor(max_workers=self.threads) as pool:
            return [pairs for part in pool.map(lambda b: self._search_batch(b, threshold), batches)
                    for pairs in part]

    def _search_batch(self, batch: np.ndarray, threshold: int) -> list[list[tuple[int, int]]]:
        n = self._sorted_rows
        chunk_index = np.arange(SUBSTRINGS)[None, :, None]
        probes = batch.view("<u2")[:, :, None] ^ _FLIPS[None, None, :]  # (b, 16, 17) bucket values
        starts = self._offsets[chunk_index, probes]
        lengths = (self._offsets[chunk_index, probes.astype(np.int64) + 1] - starts).reshape(len(batch), -1)
        starts = (starts + chunk_index * n).reshape(len(batch), -1)
        order = self._order.reshape(-1)
        words = self._codes.view(np.uint64)
        out: list[list[tuple[int, int]]] = []
        for query_words, query_starts, query_lengths in zip(batch.view(np.uint64), starts, lengths, strict=True):
            total = int(query_lengths.sum())
            if not total:
                out.append([])
                continue
            shift = np.repeat(query_starts - (np.cumsum(query_lengths) - query_lengths), query_lengths)
            rows = order[shift + np.arange(total)]  # every hash in the 272 buckets (a few may repeat)
            distance = np.bitwise_count(words[rows] ^ query_words).sum(axis=1, dtype=np.int32)
            hit = np.flatnonzero(distance <= threshold)
            found = dict(zip(rows[hit].tolist(), distance[hit].tolist(), strict=True))  # de-duplicated
            out.append(list(found.items()))
        return out

    def search(self, queries: np.ndarray | Sequence[str],
               threshold: int = DEFAULT_PDQ_THRESHOLD) -> list[list[PdqMatch]]:
        """For each query hash, every indexed hash within ``threshold`` bits, nearest first."""
        if threshold > MAX_EXACT_THRESHOLD:
            raise ValueError(f"the index is exact up to distance {MAX_EXACT_THRESHOLD}")
        array = _as_codes(queries)
        found = self._search_sorted(array, threshold)
        delta = self._codes[self._sorted_rows:]
        if len(delta):
            for q, query_words in enumerate(array.view(np.uint64)):
                distance = _distances(delta, query_words)
                found[q].extend((self._sorted_rows + int(r), int(distance[r]))
                                for r in np.flatnonzero(distance <= threshold))
        results: list[list[PdqMatch]] = []
        for pairs in found:
            matches = [PdqMatch(self._keys[row].decode(), distance) for row, distance in pairs
                       if row not in self._removed]
            matches.sort(key=lambda m: (m.distance, m.key))
            results.append(matches)
        return results


class BruteForcePdqIndex:
    """Every query compared with every hash (numpy popcount): the reference and the benchmark baseline."""

    def __init__(self) -> None:
        self._keys: list[str] = []
        self._words = np.zeros((0, 4), dtype=np.uint64)

    def add(self, keys: Sequence[str], hashes: np.ndarray | Sequence[str]) -> None:
        array = hashes if isinstance(hashes, np.ndarray) else hashes_to_array(hashes)
        self._keys.extend(keys)
        self._words = np.concatenate([self._words, np.ascontiguousarray(array, np.uint8).view(np.uint64)])

    def search(self, queries: np.ndarray | Sequence[str],
               threshold: int = DEFAULT_PDQ_THRESHOLD) -> list[list[PdqMatch]]:
        array = queries if isinstance(queries, np.ndarray) else hashes_to_array(queries)
        out: list[list[PdqMatch]] = []
        for query in np.ascontiguousarray(array, np.uint8).view(np.uint64):
            distance = np.bitwise_count(self._words ^ query).sum(axis=1, dtype=np.int32)
            hits = np.flatnonzero(distance <= threshold)
            found = [PdqMatch(self._keys[i], int(distance[i])) for i in hits]
            found.sort(key=lambda m: (m.distance, m.key))
            out.append(found)
        return out
