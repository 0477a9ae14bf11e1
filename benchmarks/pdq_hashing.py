"""PDQ hashing of 1024x1024 JPEGs: Poise's reduced-scale decode vs hashing the full-size pixels.

    python -m benchmarks.pdq_hashing [--images N] [--quick]

The baseline decodes every JPEG at full size and hashes all its pixels (what a straightforward caller
does); Poise decodes at 1/8 scale (JPEG DCT scaling) and box-filters to 64x64 first. Both run in the same
process on the same images (one core). Prints images per second, the ratio, and how far Poise's hashes
are from the full-size ones (mean and max Hamming distance; the match threshold is 31).
"""

from __future__ import annotations

import argparse
import io
import time

import numpy as np
import pdqhash
from PIL import Image, ImageDraw

from poise.screening.media import bits_to_hex, pdq_distance, pdq_from_bytes


def photo_like(seed: int, size: int = 1024) -> bytes:
    """A 1024x1024 JPEG with gradients, shapes and noise."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:size, 0:size]
    base = np.stack([(x * 255 // size), (y * 255 // size), ((x + y) * 127 // size)], axis=-1)
    base = np.clip(base + rng.normal(0, 12, base.shape), 0, 255).astype(np.uint8)
    image = Image.fromarray(base)
    draw = ImageDraw.Draw(image)
    for _ in range(40):
        x0, y0 = (int(v) for v in rng.integers(0, size - 80, 2))
        w, h = (int(v) for v in rng.integers(30, size // 3, 2))
        draw.ellipse([x0, y0, x0 + w, y0 + h], fill=tuple(int(c) for c in rng.integers(0, 255, 3)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


def full_size_hash(data: bytes) -> str:
    with Image.open(io.BytesIO(data)) as image:
        bits, _ = pdqhash.compute(np.asarray(image.convert("RGB")))
    return bits_to_hex(bits)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--images", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="60 images, baseline on 10")
    args = parser.parse_args()
    n = 60 if args.quick else args.images
    images = [photo_like(i) for i in range(n)]
    t0 = time.perf_counter()
    fast = [pdq_from_bytes(b).hex for b in images]
    fast_rate = n / (time.perf_counter() - t0)
    sample = images[: max(10, n // 10)]
    t0 = time.perf_counter()
    full = [full_size_hash(b) for b in sample]
    slow_rate = len(sample) / (time.perf_counter() - t0)
    gaps = [pdq_distance(a, b) for a, b in zip(fast, full, strict=False)]
    print(f"images: {n} JPEGs of 1024x1024")
    print(f"poise (1/8-scale decode, 64x64 box filter): {fast_rate:,.0f} images/s")
    print(f"full-size decode and hash: {slow_rate:,.1f} images/s on {len(sample)} images")
    print(f"ratio: {fast_rate / slow_rate:.0f}x; distance to the full-size hash: mean {np.mean(gaps):.1f}, "
          f"max {max(gaps)} bits (threshold 31)")


if __name__ == "__main__":
    main()
