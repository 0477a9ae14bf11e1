"""Finding known PDQ hashes within a Hamming distance, exactly, at tens of millions of hashes.

:class:`PdqIndex` wraps faiss' multi-index hashing (``IndexBinaryMultiHash``): the 256 bits are cut into 16
substrings of 16 bits and each is looked up with every one-bit variation (``nflip=1``). If two hashes are
within 31 bits, at least one of their 16 substrings differs in at most one bit (otherwise the distance
would be at least 2 x 16 = 32), so every hash at distance <= 31 is a candidate and the range search is exact.
Candidates are verified by their full distance inside faiss. :class:`BruteForcePdqIndex` compares against
every hash with numpy: the reference the tests check the index against, and the benchmark's baseline.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import faiss
import numpy as np

from poise.screening.media import DEFAULT_PDQ_THRESHOLD, PDQ_BITS, hex_to_bytes

SUBSTRINGS = 16
SUBSTRING_BITS = 16
MAX_EXACT_THRESHOLD = SUBSTRINGS * 2 - 1
"""With one flip per substring, the search is exact up to this distance (31)."""


@dataclass(frozen=True)
class PdqMatch:
    """A known hash found near a query: its key (e.g. a bank signal id) and the distance."""

    key: str
    distance: int


def hashes_to_array(hexes: Iterable[str]) -> np.ndarray:
    """Hex PDQ hashes -> an (n, 32) uint8 array."""
    raw = b"".join(hex_to_bytes(h) for h in hexes)
    return np.frombuffer(raw, dtype=np.uint8).reshape(-1, PDQ_BITS // 8)


class PdqIndex:
    """Exact range search over PDQ hashes (distance <= 31) with faiss multi-index hashing.

    Keys are kept beside the index (faiss numbers entries in insertion order). A removed key is filtered
    out of results at once; :meth:`compact` rebuilds without removed entries.
    """

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self._index = faiss.IndexBinaryMultiHash(PDQ_BITS, SUBSTRINGS, SUBSTRING_BITS)
        self._index.nflip = 1
        self._keys: list[str] = []
        self._removed: set[int] = set()
        self._hashes: list[np.ndarray] = []

    def __len__(self) -> int:
        return len(self._keys) - len(self._removed)

    def add(self, keys: Sequence[str], hashes: np.ndarray | Sequence[str]) -> None:
        """Add hashes (hex strings or an (n, 32) uint8 array) under their keys."""
        array = hashes if isinstance(hashes, np.ndarray) else hashes_to_array(hashes)
        if len(keys) != len(array):
            raise ValueError("one key per hash")
        if not len(array):
            return
        array = np.ascontiguousarray(array, dtype=np.uint8)
        self._index.add(array)
        self._keys.extend(keys)
        self._hashes.append(array)

    def remove(self, keys: Iterable[str]) -> None:
        """Stop returning these keys (quarantine / deletion)."""
        gone = set(keys)
        self._removed.update(i for i, k in enumerate(self._keys) if k in gone)

    def compact(self) -> None:
        """Rebuild without removed entries."""
        if not self._removed:
            return
        keep = [i for i in range(len(self._keys)) if i not in self._removed]
        array = np.concatenate(self._hashes)[keep] if self._hashes else np.zeros((0, 32), np.uint8)
        keys = [self._keys[i] for i in keep]
        self._reset()
        self.add(keys, array)

    def search(self, queries: np.ndarray | Sequence[str],
               threshold: int = DEFAULT_PDQ_THRESHOLD) -> list[list[PdqMatch]]:
        """For each query hash, every indexed hash within ``threshold`` bits, nearest first."""
        if threshold > MAX_EXACT_THRESHOLD:
            raise ValueError(f"the index is exact up to distance {MAX_EXACT_THRESHOLD}")
        array = queries if isinstance(queries, np.ndarray) else hashes_to_array(queries)
        if not len(array):
            return []
        if not self._keys:
            return [[] for _ in range(len(array))]
        limits, distances, labels = self._index.range_search(np.ascontiguousarray(array, np.uint8), threshold + 1)
        out: list[list[PdqMatch]] = []
        for q in range(len(array)):
            found = [PdqMatch(self._keys[int(label)], int(dist))
                     for label, dist in zip(labels[limits[q]:limits[q + 1]], distances[limits[q]:limits[q + 1]],
                                            strict=True)
                     if int(label) not in self._removed]
            found.sort(key=lambda m: (m.distance, m.key))
            out.append(found)
        return out


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
