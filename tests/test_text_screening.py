"""Text screening: obfuscated text is caught, and Hyperscan agrees with the brute-force reference."""

from __future__ import annotations

import random

from poise.screening.text import HyperscanMatcher, ReferenceMatcher, TextPattern, _batch_views, _views, normalise

PATTERNS = [TextPattern(1, "keyword", "cocaine"), TextPattern(2, "keyword", "fast delivery"),
            TextPattern(3, "domain", "bad-pharma.example"), TextPattern(4, "url", "http://scam.example/win"),
            TextPattern(5, "regex", r"\bmdma\s*\d+\s*(mg|pills)\b")]


def test_normalisation_undoes_common_obfuscation() -> None:
    assert normalise("Ϲ0\u200bCAINE!!") == "cocaine"
    assert normalise("ＦＡＳＴ   delivery") == "fast delivery"
    assert normalise("сосаіnе") == "cocaine"  # Cyrillic look-alikes
    assert normalise("Cöcaïne") == "cocaine"


def test_obfuscated_text_matches() -> None:
    matcher = HyperscanMatcher(PATTERNS)
    assert matcher.match("Best C0C4INE in town") == {1}
    assert matcher.match("c o c a i n e, f.a.s.t d.e.l.i.v.e.r.y") == {1, 2}
    assert matcher.match("co\u200bcaine via bad-pharma.example today") == {1, 3}
    assert matcher.match("go to http://scam.example/win now") == {4}
    assert matcher.match("MDMA 120 mg pills") == {5}
    assert matcher.match("cocoa and wine") == set()
    assert matcher.match("the council meets tonight") == set()


def test_hyperscan_equals_reference_on_random_data() -> None:
    rng = random.Random(3)
    words = ["alpha", "bravo", "cocaine", "delivery", "fast", "heroin", "weed", "sale", "news", "x"]
    patterns = [TextPattern(i, "keyword", " ".join(rng.sample(words, rng.randint(1, 2)))) for i in range(40)]
    patterns += [TextPattern(100, "domain", "evil.example"), TextPattern(101, "regex", r"\d{3}-\d{4}")]
    fast, slow = HyperscanMatcher(patterns), ReferenceMatcher(patterns)
    for _ in range(500):
        text = " ".join(rng.choice(words + ["evil.example", "555-1234", "W\u200beed", "ЅALE"])
                        for _ in range(rng.randint(0, 12)))
        assert fast.match(text) == slow.match(text), text


def test_batch_scan_equals_single_scans() -> None:
    """match_many scans a batch as one buffer per view; its results must equal message-by-message ones."""
    rng = random.Random(5)
    words = ["cocaine", "fast", "delivery", "Ϲ0\u200bCAINE", "c o c a i n e", "évil.example", "555-1234",
             "line\nbreak", "\x00", "!!!", "", "ＦＡＳＴ", "x\u0301", "evil.example", "sale", "_", "555", "1234"]
    patterns = [*PATTERNS, TextPattern(6, "domain", "evil.example"), TextPattern(7, "regex", r"\d{3}\s\d{4}"),
                TextPattern(8, "regex", r"^fast"), TextPattern(9, "regex", r"sale$"), TextPattern(10, "keyword", "x")]
    matcher = HyperscanMatcher(patterns)
    texts = ["".join(rng.choice([*words, " ", " "]) for _ in range(rng.randint(0, 8))) for _ in range(3000)]
    texts += ["555", "1234 cocaine", "fast", "sale", "\n", " ", "cocaine"]  # boundaries between messages
    batch_lines = [view.split("\n") for view in _batch_views(texts)]
    assert [tuple(lines[i] for lines in batch_lines) for i in range(len(texts))] == [_views(t) for t in texts]
    assert matcher.match_many(texts) == [matcher.match(t) for t in texts]
    assert sum(1 for hits in matcher.match_many(texts) if hits) > 100
