"""Bad input survived: schemathesis against the OpenAPI spec (no 5xx, as admin and anonymous) and
hypothesis on the parsers (they reject with a reason, they never crash)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from poise.api.app import create_app
from poise.auth.keys import create_key
from poise.auth.roles import Role
from poise.core.errors import Unprocessable
from poise.ingest.service import validate_events
from poise.screening.bank_files import clean_signal, import_csv
from poise.screening.rules import parse_rules
from poise.screening.text import HyperscanMatcher, ReferenceMatcher, TextPattern, normalise
from poise.settings import Settings
from poise.store.db import Database
from poise.store.migrate import upgrade

_DIR = Path(tempfile.mkdtemp(prefix="poise-fuzz-"))
_DB = Database(f"sqlite:///{_DIR / 'fuzz.db'}")
upgrade(_DB)
with _DB.session() as _session:
    ADMIN_KEY = create_key(_session, name="fuzz admin", role=Role.ADMIN).secret
APP = create_app(Settings(database_url=_DB.url, webhook_dispatcher=False, rate_limit_per_minute=1_000_000,
                          classifiers_enabled=False), _DB)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
FUZZ = settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


@schema.parametrize()
@FUZZ
def test_no_server_error_for_any_generated_request(case: Any) -> None:
    for headers in ({"X-API-Key": ADMIN_KEY}, {}):
        response = case.call(headers=headers)
        assert response.status_code < 500, (case.method, case.path, response.status_code, response.text[:300])


@given(st.lists(st.dictionaries(st.sampled_from(["event_id", "type", "post_id", "text", "media", "channel_id",
                                                 "country", "account_id", "junk"]),
                                st.one_of(st.text(max_size=30), st.integers(), st.none(), st.booleans(),
                                          st.lists(st.dictionaries(st.text(max_size=10), st.text(max_size=20)),
                                                   max_size=2))),
                max_size=20))
@settings(max_examples=200, deadline=None)
def test_event_validation_rejects_with_reasons_never_crashes(raw: list[dict[str, Any]]) -> None:
    valid, rejected = validate_events(raw)
    assert len(valid) + len(rejected) == len(raw)
    assert all(r.status == "rejected" and r.reason for r in rejected)


@given(st.text(max_size=200))
@settings(max_examples=300, deadline=None)
def test_text_matching_agrees_with_reference_on_any_text(text: str) -> None:
    assert normalise(normalise(text)) == normalise(text)  # normalisation is idempotent
    patterns = [TextPattern(1, "keyword", "buy now"), TextPattern(2, "domain", "bad.example"),
                TextPattern(3, "regex", r"\d{4}"), TextPattern(4, "url", "http://x.example/a")]
    assert _MATCHER.match(text) == ReferenceMatcher(patterns).match(text)
    assert _MATCHER.match_many([text, "buy now", text]) == [frozenset(_MATCHER.match(t))
                                                             for t in (text, "buy now", text)]


_MATCHER = HyperscanMatcher([TextPattern(1, "keyword", "buy now"), TextPattern(2, "domain", "bad.example"),
                             TextPattern(3, "regex", r"\d{4}"), TextPattern(4, "url", "http://x.example/a")])


@given(st.text(max_size=12), st.text(max_size=80))
@settings(max_examples=300, deadline=None)
def test_signal_cleaning_only_refuses_with_a_reason(signal_type: str, value: str) -> None:
    try:
        cleaned = clean_signal(signal_type, value)
    except Unprocessable as exc:
        assert exc.message
    else:
        assert cleaned == cleaned.strip()


@given(st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=10)),
                    lambda inner: st.one_of(st.lists(inner, max_size=3),
                                            st.dictionaries(st.sampled_from(
                                                ["item_rules", "channel_rules", "id", "when", "then", "outcome",
                                                 "all", "any", "not", "bank", "mode", "min_removals"]),
                                                inner, max_size=4)), max_leaves=15))
@settings(max_examples=300, deadline=None)
def test_rules_parser_only_refuses_with_a_reason(document: Any) -> None:
    try:
        parse_rules(document)
    except Unprocessable as exc:
        assert exc.code == "invalid_rules"


@given(st.text(max_size=300))
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_bank_csv_import_survives_any_text(text: str) -> None:
    with _DB.session() as session:
        result = import_csv(session, bank="fuzz", category="scam", text=text, actor="fuzz", actor_role="admin")
    assert result.added + result.already_present + len(result.rejected) >= 0
