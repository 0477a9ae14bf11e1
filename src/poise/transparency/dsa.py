"""Statements of reasons in the EU DSA Transparency Database submission format, validated before export.

Field names and values follow the database's API (POST /api/v1/statements, ``{"statements": [...]}``,
1-100 per batch, one invalid statement rejects the batch). Allowed values are loaded from the official
enumerations shipped in ``poise/data/dsa-sor-enumerations.json`` (a copy of shared/reference, kept equal by
a test), never retyped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from poise.actions.vocabulary import RESTRICTIVE_OUTCOMES
from poise.store.models import Decision
from poise.taxonomy import CATEGORIES, dsa_category

ENUMERATIONS_FILE = Path(__file__).resolve().parents[1] / "data" / "dsa-sor-enumerations.json"
BATCH_MAX = 100
PUID = re.compile(r"^[a-zA-Z0-9\-_]{1,500}$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

_VISIBILITY = {"remove": "DECISION_VISIBILITY_CONTENT_REMOVED",
               "disable": "DECISION_VISIBILITY_CONTENT_DISABLED",
               "geo_restrict": "DECISION_VISIBILITY_CONTENT_DISABLED",
               "demote": "DECISION_VISIBILITY_CONTENT_DEMOTED",
               "age_restrict": "DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED",
               "label": "DECISION_VISIBILITY_CONTENT_LABELLED"}
_ACCOUNT = {"suspend_account": "DECISION_ACCOUNT_SUSPENDED", "terminate_account": "DECISION_ACCOUNT_TERMINATED"}
_PROVISION = {"ban_channel": "DECISION_PROVISION_TOTAL_TERMINATION"}
_SOURCE = {"user_notice": "SOURCE_ARTICLE_16", "trusted_flagger": "SOURCE_TRUSTED_FLAGGER",
           "authority_order": "SOURCE_TYPE_OTHER_NOTIFICATION"}
_AUTOMATED = {"fully": "AUTOMATED_DECISION_FULLY", "partially": "AUTOMATED_DECISION_PARTIALLY",
              "not_automated": "AUTOMATED_DECISION_NOT_AUTOMATED"}
_REQUIRED = ("decision_ground", "category", "decision_facts", "content_type", "source_type", "automated_detection",
             "automated_decision", "application_date", "content_date", "puid", "territorial_scope")


@lru_cache(maxsize=1)
def enumerations() -> dict[str, Any]:
    """The official allowed values, by field."""
    data: dict[str, Any] = json.loads(ENUMERATIONS_FILE.read_text("utf-8"))
    return data


def statement_for(decision: Decision) -> dict[str, Any]:
    """The DSA statement of reasons for one restrictive decision."""
    subject, outcome = decision.subject_type, decision.outcome
    statement: dict[str, Any] = {}
    if outcome == "remove" and subject == "account":
        statement["decision_account"] = "DECISION_ACCOUNT_TERMINATED"
    elif outcome == "remove" and subject == "channel":
        statement["decision_provision"] = _PROVISION["ban_channel"]
    elif outcome in _VISIBILITY:
        statement["decision_visibility"] = [_VISIBILITY[outcome]]
    elif outcome in _ACCOUNT:
        statement["decision_account"] = _ACCOUNT[outcome]
    elif outcome in _PROVISION:
        statement["decision_provision"] = _PROVISION[outcome]
    illegal = decision.ground == "illegal_content"
    facts = decision.explanation or f"{outcome} of {subject} ({decision.category or 'unspecified'})"
    statement["decision_ground"] = (
        "DECISION_GROUND_ILLEGAL_CONTENT" if illegal else "DECISION_GROUND_INCOMPATIBLE_CONTENT")
    if illegal:
        statement["illegal_content_legal_ground"] = decision.legal_reference or "Applicable national or EU law"
        statement["illegal_content_explanation"] = facts
    else:
        statement["incompatible_content_ground"] = decision.policy or "Terms of service"
        statement["incompatible_content_explanation"] = facts
    statement["category"] = dsa_category(decision.category)
    keywords = CATEGORIES[decision.category].dsa_keywords if decision.category in CATEGORIES else ()
    if keywords:
        statement["category_specification"] = list(keywords)
    if subject in ("content", "media"):
        statement["content_type"] = ["CONTENT_TYPE_IMAGE" if subject == "media" else "CONTENT_TYPE_TEXT"]
    else:
        statement["content_type"] = ["CONTENT_TYPE_OTHER"]
        statement["content_type_other"] = "Messaging channel" if subject == "channel" else "User account"
    statement["decision_facts"] = facts
    statement["source_type"] = _SOURCE.get(decision.source, "SOURCE_VOLUNTARY")
    statement["automated_detection"] = "Yes" if decision.automated_detection else "No"
    statement["automated_decision"] = _AUTOMATED.get(decision.automated_decision, "AUTOMATED_DECISION_NOT_AUTOMATED")
    eea = list(enumerations()["territorial_scope"])
    scope = [c for c in decision.territorial_scope if c in eea] if decision.territorial_scope else eea
    statement["territorial_scope"] = scope or eea
    day = decision.created_at.date().isoformat()
    statement["application_date"] = day
    statement["content_date"] = day
    statement["puid"] = decision.id
    return statement


def validate_statement(statement: dict[str, Any]) -> list[str]:
    """Every rule the statement breaks, as ``field: problem`` (empty: valid)."""
    enums = enumerations()
    errors = [f"{f}: required" for f in _REQUIRED if statement.get(f) in (None, "", [])]
    if not any(statement.get(f) for f in ("decision_visibility", "decision_monetary", "decision_provision",
                                           "decision_account")):
        errors.append("decision_visibility: one of decision_visibility/monetary/provision/account is required")

    def check(field: str, values: Any) -> None:
        for value in values if isinstance(values, list) else [values]:
            if value not in enums[field]:
                errors.append(f"{field}: {value!r} is not an allowed value")

    for field in ("decision_visibility", "category_specification", "content_type", "territorial_scope"):
        if statement.get(field):
            check(field, statement[field])
    for field in ("decision_monetary", "decision_provision", "decision_account", "decision_ground", "category",
                  "source_type", "automated_decision", "automated_detection"):
        if statement.get(field):
            check(field, statement[field])
    if statement.get("decision_ground") == "DECISION_GROUND_ILLEGAL_CONTENT":
        errors += [f"{f}: required for illegal content"
                   for f in ("illegal_content_legal_ground", "illegal_content_explanation") if not statement.get(f)]
    if statement.get("decision_ground") == "DECISION_GROUND_INCOMPATIBLE_CONTENT":
        errors += [f"{f}: required for incompatible content" for f in ("incompatible_content_ground",
                                                                       "incompatible_content_explanation")
                   if not statement.get(f)]
    if "CONTENT_TYPE_OTHER" in (statement.get("content_type") or []) and not statement.get("content_type_other"):
        errors.append("content_type_other: required when content_type includes CONTENT_TYPE_OTHER")
    if "DECISION_VISIBILITY_OTHER" in (statement.get("decision_visibility") or []) and not statement.get(
            "decision_visibility_other"):
        errors.append("decision_visibility_other: required when decision_visibility includes OTHER")
    for field in ("application_date", "content_date"):
        value = statement.get(field)
        if value:
            try:
                if not DATE.match(value):
                    raise ValueError
                date.fromisoformat(value)
            except ValueError:
                errors.append(f"{field}: must be YYYY-MM-DD")
    if statement.get("puid") and not PUID.match(str(statement["puid"])):
        errors.append("puid: only letters, digits, '-' and '_', at most 500 characters")
    return errors


def statements_between(session: Session, start: datetime, end: datetime) -> Iterator[dict[str, Any]]:
    """Statements for every restrictive decision in [start, end), streamed in id order."""
    restrictive = [o.value for o in RESTRICTIVE_OUTCOMES if o.value not in ("withdraw_country",)]
    stmt = (select(Decision).where(Decision.created_at >= start, Decision.created_at < end,
                                   Decision.outcome.in_(restrictive), Decision.subject_type != "country")
            .order_by(Decision.id).execution_options(yield_per=1000))
    for decision in session.execute(stmt).scalars():
        yield statement_for(decision)


def batches(statements: Iterator[dict[str, Any]], size: int = BATCH_MAX) -> Iterator[dict[str, Any]]:
    """Validated submission bodies of 1-``size`` statements; raises ValueError naming the first bad one."""
    if not 1 <= size <= BATCH_MAX:
        raise ValueError(f"batch size must be 1-{BATCH_MAX}")
    batch: list[dict[str, Any]] = []
    for statement in statements:
        problems = validate_statement(statement)
        if problems:
            raise ValueError(f"statement {statement.get('puid')}: {'; '.join(problems)}")
        batch.append(statement)
        if len(batch) == size:
            yield {"statements": batch}
            batch = []
    if batch:
        yield {"statements": batch}
