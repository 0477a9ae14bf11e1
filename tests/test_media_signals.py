"""PDQ hashing of image bytes, exact digests, and the PDQ index checked against brute force."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from poise.core.errors import Unprocessable
from poise.screening.media import digests, pdq_distance, pdq_from_bytes
from poise.screening.pdq_index import BruteForcePdqIndex, PdqIndex, hashes_to_array


def picture(seed: int, size: int = 640, fmt: str = "JPEG", quality: int = 90) -> bytes:
    """A synthetic photo-like picture: gradient background and random shapes."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:size, 0:size]
    base = np.stack([(x * 255 // size), (y * 255 // size), ((x + y) * 127 // size)], axis=-1).astype(np.uint8)
    image = Image.fromarray(base)
    draw = ImageDraw.Draw(image)
    for _ in range(25):
        x0, y0 = (int(v) for v in rng.integers(0, size - 50, 2))
        w, h = (int(v) for v in rng.integers(20, size // 3, 2))
        draw.ellipse([x0, y0, x0 + w, y0 + h], fill=tuple(int(c) for c in rng.integers(0, 255, 3)))
    out = io.BytesIO()
    image.save(out, fmt, **({"quality": quality} if fmt == "JPEG" else {}))
    return out.getvalue()


def reencoded(data: bytes, size: int, quality: int) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        out = io.BytesIO()
        image.convert("RGB").resize((size, size)).save(out, "JPEG", quality=quality)
        return out.getvalue()


def test_reupload_with_new_size_and_compression_stays_close() -> None:
    original = pdq_from_bytes(picture(1))
    assert len(original.hex) == 64 and original.quality >= 50
    reupload = pdq_from_bytes(reencoded(picture(1), 480, 60))
    assert pdq_distance(original.hex, reupload.hex) <= 31
    png = pdq_from_bytes(picture(1, fmt="PNG"))
    assert pdq_distance(original.hex, png.hex) <= 31
    other = pdq_from_bytes(picture(2))
    assert pdq_distance(original.hex, other.hex) > 31


def test_not_an_image_is_refused_with_a_reason() -> None:
    with pytest.raises(Unprocessable) as err:
        pdq_from_bytes(b"not an image at all")
    assert err.value.code == "bad_image"


def test_digests() -> None:
    d = digests(b"abc")
    assert d.sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert d.md5 == "900150983cd24fb0d6963f7d28e17f72"


def _flip(hashes: np.ndarray, rng: np.random.Generator, max_bits: int) -> np.ndarray:
    out = hashes.copy()
    for row in out:
        for bit in rng.choice(256, size=int(rng.integers(0, max_bits + 1)), replace=False):
            row[bit // 8] ^= 1 << (bit % 8)
    return out


def test_index_equals_brute_force_up_to_distance_31() -> None:
    rng = np.random.default_rng(7)
    bank = rng.integers(0, 256, size=(5000, 32), dtype=np.uint8)
    keys = [f"k{i}" for i in range(len(bank))]
    fast, slow = PdqIndex(), BruteForcePdqIndex()
    fast.add(keys[:2500], bank[:2500])
    fast.add(keys[2500:], bank[2500:])  # added at run time, in a second batch
    slow.add(keys, bank)
    near = _flip(bank[rng.integers(0, len(bank), 300)], rng, 31)  # within 31 bits of a bank entry
    far = _flip(bank[rng.integers(0, len(bank), 50)], rng, 45)
    queries = np.concatenate([near, far, rng.integers(0, 256, size=(50, 32), dtype=np.uint8)])
    for threshold in (31, 10):
        assert fast.search(queries, threshold) == slow.search(queries, threshold)  # all in the delta
    fast.optimize()
    for threshold in (31, 10):
        assert fast.search(queries, threshold) == slow.search(queries, threshold)  # all in the sorted part
    fast.add(["late"], bank[:1])  # sorted part and delta together
    assert [m.key for m in fast.search(bank[:1])[0]] == ["k0", "late"]
    assert all(fast.search(near))  # every near query finds its source: recall 100%


def test_index_removal_and_compaction() -> None:
    hexes = ["f" * 64, "0" * 64, "0" * 63 + "1"]
    index = PdqIndex()
    index.add(["a", "b", "c"], hexes)
    assert [m.key for m in index.search(["0" * 64])[0]] == ["b", "c"]
    index.remove(["b"])
    assert [m.key for m in index.search(["0" * 64])[0]] == ["c"]
    index.compact()
    assert len(index) == 2 and index.search(["f" * 64])[0][0].key == "a"
    assert [m.key for m in index.search(["0" * 64])[0]] == ["c"]
    assert hashes_to_array(hexes).shape == (3, 32)
