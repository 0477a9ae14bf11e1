"""Every Poise category maps onto values the DSA Transparency Database accepts."""

from __future__ import annotations

import json
import os
from pathlib import Path

from poise.taxonomy import CATEGORIES, dsa_category


def _reference() -> Path:
    """shared/reference/ beside the checkout (CI), or above a worktree, or POISE_SHARED_DIR."""
    env = os.environ.get("POISE_SHARED_DIR")
    candidates = [Path(env)] if env else []
    candidates += [parent / "shared" for parent in Path(__file__).resolve().parents]
    for shared in candidates:
        if (shared / "reference" / "dsa-sor-enumerations.json").exists():
            return shared / "reference" / "dsa-sor-enumerations.json"
    raise AssertionError("shared/reference/dsa-sor-enumerations.json not found (set POISE_SHARED_DIR)")


REFERENCE = _reference()


def test_categories_map_to_official_dsa_values() -> None:
    enums = json.loads(REFERENCE.read_text("utf-8"))
    for cat in CATEGORIES.values():
        assert cat.dsa_category in enums["category"], cat.key
        for keyword in cat.dsa_keywords:
            assert keyword in enums["category_specification"], (cat.key, keyword)
    assert dsa_category(None) == "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE"
    assert dsa_category("terrorism") == "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY"
