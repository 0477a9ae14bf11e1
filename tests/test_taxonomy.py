"""Every Poise category maps onto values the DSA Transparency Database accepts."""

from __future__ import annotations

import json
from pathlib import Path

from poise.taxonomy import CATEGORIES, dsa_category

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "dsa-sor-enumerations.json"


def test_categories_map_to_official_dsa_values() -> None:
    enums = json.loads(REFERENCE.read_text("utf-8"))
    for cat in CATEGORIES.values():
        assert cat.dsa_category in enums["category"], cat.key
        for keyword in cat.dsa_keywords:
            assert keyword in enums["category_specification"], (cat.key, keyword)
    assert dsa_category(None) == "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE"
    assert dsa_category("terrorism") == "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY"
