"""Text signals: normalisation against obfuscation, and a multi-pattern matcher over bank signals.

Text is normalised before matching: Unicode NFKC, case folding, zero-width and other format characters
removed, common homoglyphs (Cyrillic/Greek look-alikes, leetspeak digits) folded to Latin letters, and
runs of separators collapsed, so "Ϲ0‌CAINE", "c o c a i n e" and "cocaine" all match the keyword
"cocaine". Keywords match on word boundaries of the normalised text, and also in a separator-free copy to
catch spaced-out spellings. Keywords and URLs are compiled with Hyperscan's literal compiler (10k patterns in
a fraction of a second), regexes and domains with its regex compiler; batches of messages are scanned as one
buffer per view. :class:`ReferenceMatcher` is the brute-force matcher the tests compare it against.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import hyperscan
import numpy as np

HOMOGLYPHS = str.maketrans({
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s",
    "к": "k", "м": "m", "т": "t", "в": "b", "н": "h", "ԁ": "d", "ɡ": "g",
    "α": "a", "ο": "o", "ρ": "p", "ϲ": "c", "σ": "c", "ν": "v", "ι": "i", "κ": "k", "τ": "t", "υ": "u", "χ": "x",
    "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "€": "e",
})
SEPARATORS = re.compile(r"[\s\W_]+", re.UNICODE)
ASCII_FOLD = str.maketrans({
    **{chr(c): " " for c in range(128) if not chr(c).isalnum()},
    **{k: v for k, v in ((chr(c), HOMOGLYPHS.get(c)) for c in range(128)) if v is not None},
})
"""For lower-cased ASCII text: homoglyph digits folded, every other non-alphanumeric -> space."""
ASCII_FOLD_KEEP_NUL = {**ASCII_FOLD, 0: "\x00"}
"""The same, keeping NUL (the batch delimiter)."""


FORMAT_AND_MARKS = re.compile(
    "[\u00ad\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u061c\u064b-\u065f\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\u20d0-\u20ff\ufe00-\ufe0f\ufe20-\ufe2f\ufeff]")


def _strip_format_characters(text: str) -> str:
    """Drop zero-width/format characters and combining marks (the ranges used to hide words)."""
    if text.isascii():
        return text
    return FORMAT_AND_MARKS.sub("", text)


def _fold(text: str, separators: re.Pattern[str], ascii_table: dict[int, str]) -> str:
    """Case, Unicode, format-character and homoglyph folding, then separator runs -> one space."""
    if text.isascii():
        folded = text.lower().translate(ascii_table)
        while "  " in folded:  # a few C-speed passes beat a regex over the whole text
            folded = folded.replace("    ", " ").replace("  ", " ")
        return folded
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    folded = _strip_format_characters(folded).translate(HOMOGLYPHS)
    return separators.sub(" ", folded)


def normalise(text: str) -> str:
    """Fold obfuscation away: NFKC, casefold, no zero-width/combining marks, homoglyphs, single spaces."""
    return _fold(text, SEPARATORS, ASCII_FOLD).strip()


def normalise_pattern(keyword: str) -> str:
    """A keyword in the same normal form as the text it is matched against."""
    return normalise(keyword)


@dataclass(frozen=True)
class TextPattern:
    """One pattern: an id the caller maps back to its bank signal, its kind and its value."""

    pattern_id: int
    kind: str  # keyword | regex | url | domain
    value: str


def _regex_for(pattern: TextPattern) -> str:
    """The pattern as a regex over its view (the reference semantics)."""
    if pattern.kind == "regex":
        return pattern.value
    if pattern.kind == "domain":
        return r"(?:^|[^a-z0-9-])" + re.escape(pattern.value.lower().lstrip(".")) + r"(?:$|[^a-z0-9-])"
    if pattern.kind == "url":
        return re.escape(pattern.value.lower())
    return r"(?:^| )" + re.escape(normalise_pattern(pattern.value)) + r"(?:$| )"


def _squashed_keyword(pattern: TextPattern) -> str | None:
    """Keywords are also matched with all separators removed ("c o c a i n e"), when long enough."""
    if pattern.kind != "keyword":
        return None
    squashed = normalise_pattern(pattern.value).replace(" ", "")
    return squashed if len(squashed) >= 5 else None


BATCH_LINE_BREAKS = str.maketrans({"\n": " ", "\r": " "})
LINE_BREAKS = str.maketrans({"\n": " ", "\r": " ", "\x00": " "})
BATCH_DELIMITER = "\x00"
BATCH_SEPARATORS = re.compile(r"(?:[^\w\x00]|_)+", re.UNICODE)
BATCH_SIZE = 4096
NORM, SQUASHED, RAW = 0, 1, 2
NEWLINE = ord("\n")
NO_MATCH: frozenset[int] = frozenset()


def _views(text: str) -> tuple[str, str, str]:
    """(normalised, separator-free normalised, raw lower-cased for URLs/domains/regexes).

    A message is one line in every view (line breaks become spaces), so the same compiled patterns serve
    one message or a newline-joined batch of them.
    """
    norm = normalise(text)
    return norm, norm.replace(" ", ""), text.lower().translate(LINE_BREAKS)


def _batch_views(texts: Sequence[str]) -> tuple[str, str, str]:
    """The three views of many messages at once, one message per line; line i equals ``_views(texts[i])``.

    Normalisation runs once over the joined text: NUL keeps messages apart (no Unicode normalisation step
    composes across it), then becomes the newline the patterns treat as a line boundary.
    """
    joined = BATCH_DELIMITER.join(texts)
    if joined.count(BATCH_DELIMITER) != len(texts) - 1:  # a message carries NUL itself: blank it first
        joined = BATCH_DELIMITER.join(t.replace(BATCH_DELIMITER, " ") for t in texts)
    raw = joined.lower().translate(BATCH_LINE_BREAKS).replace(BATCH_DELIMITER, "\n")
    folded = _fold(joined, BATCH_SEPARATORS, ASCII_FOLD_KEEP_NUL)  # at most one space either side of a NUL
    norm = folded.replace(" \x00", "\x00").replace("\x00 ", "\x00").replace("\x00", "\n").strip(" ")
    return norm, norm.replace(" ", ""), raw


def _padded(view: str) -> str:
    """Each line with a space at both ends, so a keyword literal " kw " matches on word boundaries."""
    return " " + view.replace("\n", " \n ") + " "


@dataclass
class _CompiledGroup:
    view: int
    padded: bool
    literal: bool
    database: hyperscan.Database
    bounded_lengths: dict[int, int] | None = None
    """For domain literals: pattern id -> byte length; a hit counts only between host-name boundaries."""


_HOST_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789-")


def _on_host_boundaries(buffer: bytes, end: int, length: int) -> bool:
    """Whether buffer[end - length:end] is not glued to other host-name characters (the domain rule)."""
    start = end - length
    return (start == 0 or buffer[start - 1] not in _HOST_BYTES) and (end == len(buffer)
                                                                       or buffer[end] not in _HOST_BYTES)


def _compile(view: int, entries: list[tuple[int, str]], *, literal: bool, padded: bool = False) -> _CompiledGroup:
    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    regex_flags = hyperscan.HS_FLAG_CASELESS | hyperscan.HS_FLAG_UTF8 | hyperscan.HS_FLAG_MULTILINE
    flags = 0 if literal else regex_flags  # literals and their views are already lower-cased
    database.compile(expressions=[value.encode("utf-8") for _, value in entries], ids=[i for i, _ in entries],
                     elements=len(entries), flags=flags, literal=literal)
    return _CompiledGroup(view, padded, literal, database)


class HyperscanMatcher:
    """Patterns compiled into Hyperscan databases, one or two per view.

    Keywords are literals over the normalised view (padded, so they match whole words) and over the
    separator-free view; URLs and domains are literals over the raw view (a domain hit must sit between
    host-name boundaries, checked on the bytes); regexes are multi-line regexes over the raw view, so
    ``^``/``$`` hold at message boundaries. :meth:`match_many` scans a whole batch as
    one buffer per view and maps match offsets back to messages; each batch hit is then confirmed by
    scanning that message alone, so a regex reaching across two messages of a batch never yields a false
    hit: batch results equal per-message results exactly (the tests check it).
    """

    def __init__(self, patterns: Sequence[TextPattern]) -> None:
        self.patterns = list(patterns)
        keywords: list[tuple[int, str]] = []
        squashed: list[tuple[int, str]] = []
        urls: list[tuple[int, str]] = []
        domains: list[tuple[int, str]] = []
        regexes: list[tuple[int, str]] = []
        for p in self.patterns:
            if p.kind == "keyword":
                norm = normalise_pattern(p.value)
                if not norm:
                    continue  # nothing left to match once normalised (e.g. only punctuation)
                keywords.append((p.pattern_id, f" {norm} "))
                flat = _squashed_keyword(p)
                if flat:
                    squashed.append((p.pattern_id, flat))
            elif p.kind == "url":
                urls.append((p.pattern_id, p.value.lower().translate(LINE_BREAKS)))
            elif p.kind == "domain" and p.value.isascii():
                domains.append((p.pattern_id, p.value.lower().lstrip(".")))
            else:
                regexes.append((p.pattern_id, _regex_for(p)))
        self._groups: list[_CompiledGroup] = []
        for view, entries, literal, padded in ((NORM, keywords, True, True), (SQUASHED, squashed, True, False),
                                               (RAW, urls, True, False), (RAW, regexes, False, False)):
            if entries:
                self._groups.append(_compile(view, entries, literal=literal, padded=padded))
        if domains:
            group = _compile(RAW, domains, literal=True)
            group.bounded_lengths = {pid: len(value.encode()) for pid, value in domains}
            self._groups.append(group)

    def _scan(self, groups: Sequence[_CompiledGroup], views: tuple[str, str, str],
              ) -> Iterator[tuple[_CompiledGroup, bytes, list[tuple[int, int]]]]:
        """Scan each group over its view; yields (group, buffer, [(pattern_id, end_offset), ...])."""
        encoded: dict[tuple[int, bool], bytes] = {}
        for group in groups:
            key = (group.view, group.padded)
            if key not in encoded:
                text = views[group.view]
                encoded[key] = (_padded(text) if group.padded else text).encode("utf-8")
            buffer = encoded[key]
            if not buffer:
                continue
            hits: list[tuple[int, int]] = []
            group.database.scan(buffer, match_event_handler=_collect, context=hits)
            if group.bounded_lengths is not None and hits:
                lengths = group.bounded_lengths
                hits = [(pid, end) for pid, end in hits if _on_host_boundaries(buffer, end, lengths[pid])]
            yield group, buffer, hits

    def match(self, text: str) -> set[int]:
        """Ids of every pattern that matches ``text``."""
        return {pattern_id for _, _, hits in self._scan(self._groups, _views(text)) for pattern_id, _ in hits}

    def match_many(self, texts: Sequence[str]) -> list[frozenset[int]]:
        """Ids of the patterns matching each text, scanning in batches (the fast path for screening).

        A literal never contains a newline, so a literal hit belongs to the line it ends in; a regex hit
        only nominates its line, which is then rescanned alone with the regex groups.
        """
        found: dict[int, set[int]] = {}
        regex_groups = [g for g in self._groups if not g.literal]
        for offset in range(0, len(texts), BATCH_SIZE):
            batch = texts[offset:offset + BATCH_SIZE]
            confirm: set[int] = set()
            for group, buffer, hits in self._scan(self._groups, _batch_views(batch)):
                if not hits:
                    continue
                newlines = np.flatnonzero(np.frombuffer(buffer, dtype=np.uint8) == NEWLINE)
                ends = np.fromiter((end for _, end in hits), dtype=np.int64, count=len(hits))
                lines = np.searchsorted(newlines, ends - 1, side="left").tolist()  # newlines before the hit
                if group.literal:
                    for (pattern_id, _), line in zip(hits, lines, strict=True):
                        found.setdefault(offset + line, set()).add(pattern_id)
                else:
                    confirm.update(lines)
            for line in confirm:
                for _, _, hits in self._scan(regex_groups, _views(batch[line])):
                    found.setdefault(offset + line, set()).update(pattern_id for pattern_id, _ in hits)
        results = [NO_MATCH] * len(texts)
        for index, ids in found.items():
            results[index] = frozenset(ids)
        return results


def _collect(pattern_id: int, _from: int, to: int, _flags: int, hits: Any) -> None:
    """Hyperscan match handler: appends (pattern id, end offset) to the list passed as scan context."""
    hits.append((pattern_id, to))


class ReferenceMatcher:
    """Brute force with Python ``re``, one pattern at a time: the ground truth for tests."""

    def __init__(self, patterns: Sequence[TextPattern]) -> None:
        self.compiled: list[tuple[int, int, re.Pattern[str]]] = []
        for p in patterns:
            view = 0 if p.kind == "keyword" else 2
            self.compiled.append((p.pattern_id, view, re.compile(_regex_for(p), re.IGNORECASE)))
            squashed = _squashed_keyword(p)
            if squashed:
                self.compiled.append((p.pattern_id, 1, re.compile(re.escape(squashed), re.IGNORECASE)))

    def match(self, text: str) -> set[int]:
        views = _views(text)
        return {pid for pid, view, rx in self.compiled if views[view] and rx.search(views[view])}
