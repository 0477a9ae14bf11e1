"""Media signals: PDQ perceptual hashes (with quality) and exact SHA-256 / MD5 digests of files.

PDQ hex strings follow ThreatExchange's convention (the 256 hash bits, first bit most significant), so
hashes imported from HMA / ThreatExchange and hashes computed here compare directly. Images are decoded at
a reduced scale (JPEG DCT scaling) and box-filtered to 64x64, the size PDQ reduces every image to, before
hashing: about 40x faster than hashing full-size pixels, within a few bits of the full-size hash.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

import numpy as np
import pdqhash
from PIL import Image, UnidentifiedImageError

from poise.core.errors import Unprocessable

PDQ_BITS = 256
PDQ_HEX_LENGTH = 64
DEFAULT_PDQ_THRESHOLD = 31
"""Hamming distance at or under which two PDQ hashes are the same picture (ThreatExchange's default)."""
MIN_PDQ_QUALITY = 50
"""Hashes of flat, featureless images (quality below this) match too much to act on automatically."""
_DECODE_SIZE = 128
_HASH_INPUT_SIZE = 64
Image.MAX_IMAGE_PIXELS = 64_000_000  # refuse decompression bombs


@dataclass(frozen=True)
class PdqHash:
    """A PDQ hash as 64 hex digits and its quality score (0-100)."""

    hex: str
    quality: int


@dataclass(frozen=True)
class FileDigests:
    """Exact digests of a file's bytes."""

    sha256: str
    md5: str


def digests(data: bytes) -> FileDigests:
    """SHA-256 and MD5 of ``data``."""
    return FileDigests(hashlib.sha256(data).hexdigest(), hashlib.md5(data, usedforsecurity=False).hexdigest())


def bits_to_hex(bits: np.ndarray) -> str:
    """256 hash bits (0/1, first bit most significant) -> 64 hex digits."""
    return np.packbits(np.asarray(bits, dtype=np.uint8)).tobytes().hex()


def hex_to_bytes(value: str) -> bytes:
    """64 hex digits -> 32 bytes; raises Unprocessable on anything else."""
    value = value.strip().lower()
    if len(value) != PDQ_HEX_LENGTH:
        raise Unprocessable(f"a PDQ hash has {PDQ_HEX_LENGTH} hex digits, got {len(value)}", code="bad_pdq")
    try:
        return bytes.fromhex(value)
    except ValueError as exc:
        raise Unprocessable("a PDQ hash is hexadecimal", code="bad_pdq") from exc


def pdq_distance(a: str, b: str) -> int:
    """Hamming distance between two PDQ hex strings."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


def pdq_from_pixels(pixels: np.ndarray) -> PdqHash:
    """PDQ hash of an RGB (H, W, 3) or greyscale (H, W) uint8 array."""
    bits, quality = pdqhash.compute(np.ascontiguousarray(pixels))
    return PdqHash(bits_to_hex(bits), int(quality))


def pdq_from_bytes(data: bytes) -> PdqHash:
    """PDQ hash of an image file (JPEG, PNG, GIF, WebP, BMP...); raises Unprocessable if it is no image."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.draft("RGB", (_DECODE_SIZE, _DECODE_SIZE))  # JPEG: decode at 1/2..1/8 scale
            rgb = image.convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise Unprocessable(f"not a readable image: {exc}", code="bad_image") from exc
    if rgb.size != (_HASH_INPUT_SIZE, _HASH_INPUT_SIZE):
        rgb = rgb.resize((_HASH_INPUT_SIZE, _HASH_INPUT_SIZE), Image.Resampling.BOX)
    return pdq_from_pixels(np.asarray(rgb))


def is_image(mime_type: str | None, data: bytes) -> bool:
    """Whether the bytes look like an image worth a PDQ hash (by MIME type or magic number)."""
    if mime_type:
        return mime_type.startswith("image/")
    return data[:3] == b"\xff\xd8\xff" or data[:8] == b"\x89PNG\r\n\x1a\n" or data[:4] in (b"GIF8", b"RIFF")
