"""Text signals: normalisation against obfuscation, and a multi-pattern matcher over bank signals.

Text is normalised before matching: Unicode NFKC, case folding, zero-width and other format characters
removed, common homoglyphs (Cyrillic/Greek look-alikes, leetspeak digits) folded to Latin letters, and
runs of separators collapsed, so "Ϲ0‌CAINE", "c o c a i n e" and "cocaine" all match the keyword
"cocaine". Keywords match on word boundaries of the normalised text, and also in a separator-free copy to
catch spaced-out spellings. Hyperscan compiles every pattern into one database; :class:`ReferenceMatcher`
is the brute-force matcher the tests compare it against.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import hyperscan

HOMOGLYPHS = str.maketrans({
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s",
    "к": "k", "м": "m", "т": "t", "в": "b", "н": "h", "ԁ": "d", "ɡ": "g",
    "α": "a", "ο": "o", "ρ": "p", "ϲ": "c", "σ": "c", "ν": "v", "ι": "i", "κ": "k", "τ": "t", "υ": "u", "χ": "x",
    "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "€": "e",
})
SEPARATORS = re.compile(r"[\s\W_]+", re.UNICODE)


FORMAT_AND_MARKS = re.compile(
    "[\u00ad\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u061c\u064b-\u065f\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\u20d0-\u20ff\ufe00-\ufe0f\ufe20-\ufe2f\ufeff]")


def _strip_format_characters(text: str) -> str:
    """Drop zero-width/format characters and combining marks (the ranges used to hide words)."""
    if text.isascii():
        return text
    return FORMAT_AND_MARKS.sub("", text)


def normalise(text: str) -> str:
    """Fold obfuscation away: NFKC, casefold, no zero-width/combining marks, homoglyphs, single spaces."""
    if text.isascii():
        folded = text.lower()
    else:
        folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    folded = _strip_format_characters(folded).translate(HOMOGLYPHS)
    return SEPARATORS.sub(" ", folded).strip()


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
    if pattern.kind == "regex":
        return pattern.value
    if pattern.kind == "domain":
        return r"(?:^|[^a-z0-9-])" + re.escape(pattern.value.lower().lstrip(".")) + r"(?:$|[^a-z0-9-])"
    if pattern.kind == "url":
        return re.escape(pattern.value.lower())
    return r"(?:^| )" + re.escape(normalise_pattern(pattern.value)) + r"(?:$| )"


def _squashed_regex_for(pattern: TextPattern) -> str | None:
    """Keywords are also matched with all separators removed ("c o c a i n e")."""
    if pattern.kind != "keyword":
        return None
    squashed = normalise_pattern(pattern.value).replace(" ", "")
    return re.escape(squashed) if len(squashed) >= 5 else None


def _views(text: str) -> tuple[str, str, str]:
    """(normalised, separator-free normalised, raw lower-cased for URLs/domains/regexes)."""
    norm = normalise(text)
    return norm, norm.replace(" ", ""), text.lower()


class HyperscanMatcher:
    """All patterns compiled into three Hyperscan databases (normalised, squashed, raw views)."""

    def __init__(self, patterns: Sequence[TextPattern]) -> None:
        self.patterns = list(patterns)
        self._dbs: list[hyperscan.Database | None] = []
        groups: tuple[list[tuple[int, str]], list[tuple[int, str]], list[tuple[int, str]]] = ([], [], [])
        for p in self.patterns:
            if p.kind in ("keyword",):
                groups[0].append((p.pattern_id, _regex_for(p)))
                squashed = _squashed_regex_for(p)
                if squashed:
                    groups[1].append((p.pattern_id, squashed))
            else:
                groups[2].append((p.pattern_id, _regex_for(p)))
        for group in groups:
            if not group:
                self._dbs.append(None)
                continue
            db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
            db.compile(expressions=[g[1].encode("utf-8") for g in group], ids=[g[0] for g in group],
                       elements=len(group),
                       flags=[hyperscan.HS_FLAG_SINGLEMATCH | hyperscan.HS_FLAG_CASELESS
                              | hyperscan.HS_FLAG_UTF8] * len(group))
            self._dbs.append(db)

    def match(self, text: str) -> set[int]:
        """Ids of every pattern that matches ``text``."""
        hits: set[int] = set()

        def on_match(pattern_id: int, _from: int, _to: int, _flags: int, _ctx: object) -> None:
            hits.add(pattern_id)

        for db, view in zip(self._dbs, _views(text), strict=True):
            if db is not None and view:
                db.scan(view.encode("utf-8"), match_event_handler=on_match)
        return hits

    def match_many(self, texts: Iterable[str]) -> list[set[int]]:
        return [self.match(t) for t in texts]


class ReferenceMatcher:
    """Brute force with Python ``re``, one pattern at a time: the ground truth for tests."""

    def __init__(self, patterns: Sequence[TextPattern]) -> None:
        self.compiled: list[tuple[int, int, re.Pattern[str]]] = []
        for p in patterns:
            view = 0 if p.kind == "keyword" else 2
            self.compiled.append((p.pattern_id, view, re.compile(_regex_for(p), re.IGNORECASE)))
            squashed = _squashed_regex_for(p)
            if squashed:
                self.compiled.append((p.pattern_id, 1, re.compile(squashed, re.IGNORECASE)))

    def match(self, text: str) -> set[int]:
        views = _views(text)
        return {pid for pid, view, rx in self.compiled if views[view] and rx.search(views[view])}
