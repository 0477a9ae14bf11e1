"""Text screening: obfuscated text is caught, and Hyperscan agrees with the brute-force reference."""

from __future__ import annotations

import random

from poise.screening.text import HyperscanMatcher, ReferenceMatcher, TextPattern, normalise

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
