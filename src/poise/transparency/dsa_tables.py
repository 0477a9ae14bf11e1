"""DSA transparency report tables (Implementing Regulation (EU) 2024/2835, Annex I) as CSV.

The official templates ship in ``poise/data/dsa-templates`` (copies of shared/reference, checked equal by a
test); a table is the template itself with the service, the reporting period and the counts filled in, so
header rows and row order are exactly the Commission's. Filled now: Part 5 (own-initiative measures against
illegal content) and Part 6 (own-initiative measures under the terms and conditions), from the daily
decision counters.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from poise.actions.rollup import DecisionDailyCount
from poise.taxonomy import CATEGORIES

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "data" / "dsa-templates"
PART_5 = "4_EN_Annex_I__Templates_for_Transparency_Reports_CSV_Part_5_own_initiative_illegal.csv"
PART_6 = "4_EN_Annex_I__Templates_for_Transparency_Reports_CSV_Part_6_own_initiative_TC.csv"
OWN_INITIATIVE_SOURCES = ("automated_hash_match", "automated_rule", "automated_classifier", "own_initiative")
AUTOMATED_SOURCES = ("automated_hash_match", "automated_rule", "automated_classifier")
# template column (exact header text, stripped) -> Poise outcomes counted in it
RESTRICTION_COLUMNS = {
    "Visibility restriction Removal": ("remove",),
    "Visibility restriction Disable": ("disable", "geo_restrict"),
    "Visibility restriction Demoted": ("demote",),
    "Visibility restriction Age restricted": ("age_restrict",),
    "Visibility restriction Labelled": ("label",),
    "Provision of the service Termination": ("ban_channel",),
    "Account restriction Suspension": ("suspend_account",),
    "Account restriction Termination": ("terminate_account",),
}
TOTAL_COLUMN = "Number of measures taken at the provider's own initiative"
AUTOMATED_COLUMN = "Number of measures taken after detection with solely automated means"


def _counts(session: Session, start: date, end: date, ground: str) -> Counter[tuple[str, str, str]]:
    """(Poise category, outcome, source) -> count over [start, end] for one decision ground."""
    c = DecisionDailyCount
    rows = session.execute(select(c.category, c.outcome, c.source, func.sum(c.count)).where(
        c.day >= start, c.day <= end, c.ground == ground, c.source.in_(OWN_INITIATIVE_SOURCES),
        c.subject_type != "country").group_by(c.category, c.outcome, c.source))
    return Counter({(cat, outcome, source): int(n) for cat, outcome, source, n in rows})


def _row_values(counts: Counter[tuple[str, str, str]], categories: set[str]) -> dict[str, int]:
    restrictive = {o for outcomes in RESTRICTION_COLUMNS.values() for o in outcomes}
    values = {TOTAL_COLUMN: 0, AUTOMATED_COLUMN: 0, **{col: 0 for col in RESTRICTION_COLUMNS}}
    for (cat, outcome, source), n in counts.items():
        if cat not in categories or outcome not in restrictive:
            continue
        values[TOTAL_COLUMN] += n
        if source in AUTOMATED_SOURCES:
            values[AUTOMATED_COLUMN] += n
        for col, outcomes in RESTRICTION_COLUMNS.items():
            if outcome in outcomes:
                values[col] += n
    return values


def fill_template(template: str, counts: Counter[tuple[str, str, str]], service: str, start: date,
                  end: date) -> str:
    """The template with service, period and counts filled in; rows of categories Poise lacks stay empty."""
    reader = list(csv.reader(io.StringIO((TEMPLATES_DIR / template).read_text("utf-8-sig"))))
    header = reader[0]
    index = {name.strip(): i for i, name in enumerate(header)}
    all_keys = set(CATEGORIES) | {cat for cat, _, _ in counts}
    current_dsa_category: str | None = None
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in reader[1:]:
        row = list(row)
        label = row[3]
        if label == "TOTAL":
            categories = all_keys
        elif label.startswith("STATEMENT_CATEGORY_"):
            current_dsa_category = label
            categories = {k for k, c in CATEGORIES.items() if c.dsa_category == label}
        else:  # a keyword under the current category
            categories = {k for k, c in CATEGORIES.items()
                          if c.dsa_category == current_dsa_category and c.dsa_keywords[:1] == (label,)}
        row[1] = service
        row[2] = f"{start.isoformat()}/{end.isoformat()}"
        if categories:
            for col, value in _row_values(counts, categories).items():
                row[index[col]] = str(value)
        writer.writerow(row)
    return out.getvalue()


def own_initiative_tables(session: Session, start: date, end: date, service: str) -> dict[str, str]:
    """Parts 5 and 6 for the period, as {template file name: CSV text}."""
    return {PART_5: fill_template(PART_5, _counts(session, start, end, "illegal_content"), service, start, end),
            PART_6: fill_template(PART_6, _counts(session, start, end, "incompatible_content"), service, start, end)}
