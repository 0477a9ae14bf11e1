"""The policy engine, rule by rule, on facts built in memory (no database): each rule fails where it must,
passes where it must, and the combination, review levels and the rule table's static checks behave."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from poise.authority.policy import (
    CHECKS,
    InstrumentFacts,
    RequestFacts,
    TargetFacts,
    evaluate,
    load_policy,
    parse_policy,
)

EU = frozenset({"FR", "DE", "NL", "IE", "ES", "IT", "PL", "HU"})
TCO = InstrumentFacts("TCO-2021/784", "EU", "TCO", ("tco_removal_order",), ())
ART10 = InstrumentFacts("DSA-ART10", "EU", "DSA Art. 10", ("dsa_order_to_provide_information",), ("subscriber",))
EPOC = InstrumentFacts("EEVIDENCE-EPOC", "EU", "EPOC", ("eevidence_production_order",),
                       ("subscriber", "identification", "traffic", "content"))
US_2703D = InstrumentFacts("US-SCA-2703D", "US", "SCA 2703(d)", ("non_eu_legal_process",), ("subscriber", "traffic"),
                           requires_judicial_authorisation=True)


def tco(**changes: Any) -> RequestFacts:
    """A valid French TCO removal order against a French terrorist post."""
    base = RequestFacts(request_type="tco_removal_order", kind="act", country="FR", country_is_eu=True, tier=1,
                        service_status="active", authority_verified=True, instrument=TCO,
                        instrument_code="TCO-2021/784", targets=[TargetFacts("content", "c1", "FR",
                                                                             "attack the infidels")],
                        text="terrorist propaganda", received_on=date(2026, 11, 25), eu_countries=EU)
    return replace(base, **changes)


def info(**changes: Any) -> RequestFacts:
    """A valid German DSA Art. 10 order for subscriber data of a German account."""
    base = RequestFacts(request_type="dsa_order_to_provide_information", kind="information", country="DE",
                        country_is_eu=True, tier=1, service_status="active", authority_verified=True,
                        instrument=ART10, instrument_code="DSA-ART10", data_categories=["subscriber"],
                        issuer_type="prosecutor", targets=[TargetFacts("account", "a1", "DE", "suspect")],
                        received_on=date(2026, 11, 25), eu_countries=EU)
    return replace(base, **changes)


def rule(ev: Any, rule_id: str) -> Any:
    return next(t for t in ev.trace if t.rule == rule_id)


def test_valid_requests_comply_and_every_rule_is_traced() -> None:
    for facts in (tco(), info()):
        ev = evaluate(facts)
        assert ev.outcome == "comply" and ev.principles == []
        assert [t.rule for t in ev.trace] == [r.id for r in load_policy().rules]
        assert all(t.result in ("pass", "skip", "note") for t in ev.trace)
    assert evaluate(info()).allowed_categories == ["subscriber"]


# (rule id, facts that break it, expected outcome, principle)
CASES = [
    ("country-withdrawn", tco(service_status="withdrawn"), "refuse", "P8-withdrawn-country"),
    ("authority-verified", tco(authority_verified=False), "refuse", "P9-verified-authority"),
    ("no-encryption-keys", info(data_categories=["encryption_keys"]), "refuse", "P1-no-encryption-keys"),
    ("no-encryption-keys", info(text="hand over the private key of the service"), "refuse", "P1-no-encryption-keys"),
    ("no-encryption-keys", info(text="install a backdoor for lawful access"), "refuse", "P1-no-encryption-keys"),
    ("no-bulk-surveillance", info(scope="bulk"), "refuse", "P3-no-bulk-surveillance"),
    ("no-bulk-surveillance", info(text="data on all users in the region"), "refuse", "P3-no-bulk-surveillance"),
    ("no-bulk-surveillance", info(targets=[TargetFacts("account", f"a{i}", "DE") for i in range(51)]), "refuse",
     "P3-no-bulk-surveillance"),
    ("peaceful-protest", tco(targets=[TargetFacts("channel", "c", "FR", "Peaceful march on Saturday")],
                             text=""), "refuse", "P2-peaceful-protest"),
    ("peaceful-protest", tco(targets=[TargetFacts("channel", "c", "FR", "protest and bomb the station")],
                             text=""), "escalate", "P2-peaceful-protest"),
    ("eu-order-from-eu-authority", tco(country="US", country_is_eu=False), "refuse", "P4-legal-basis"),
    ("instrument-matches-request", tco(instrument=None, instrument_code="FR-NOPE"), "refuse", "P4-legal-basis"),
    ("instrument-matches-request", tco(instrument=ART10), "refuse", "P4-legal-basis"),
    ("instrument-matches-request", info(request_type="non_eu_legal_process", country="FR", instrument=US_2703D),
     "refuse", "P4-legal-basis"),
    ("instrument-in-force", info(request_type="eevidence_production_order", instrument=EPOC,
                                 received_on=date(2026, 8, 17)), "refuse", "P4-legal-basis"),
    ("data-within-legal-basis", info(data_categories=["traffic"]), "refuse", "P10-minimal-data"),
    ("data-within-legal-basis", info(data_categories=["subscriber", "traffic"]), "needs_review", "P10-minimal-data"),
    ("judicial-authorisation", info(request_type="eevidence_production_order", instrument=EPOC,
                                    data_categories=["content"]), "refuse", "P5-judicial-authorisation"),
    ("judicial-authorisation", info(request_type="non_eu_legal_process", country="US", country_is_eu=False,
                                    instrument=US_2703D, targets=[TargetFacts("account", "a", "US")]),
     "refuse", "P5-judicial-authorisation"),
    ("target-in-jurisdiction", info(targets=[TargetFacts("account", "a", "US")]), "refuse", "P7-jurisdiction"),
    ("target-in-jurisdiction", info(targets=[TargetFacts("account", "a", None)]), "needs_review", "P7-jurisdiction"),
    ("target-in-jurisdiction", info(request_type="non_eu_legal_process", country="US", country_is_eu=False,
                                    instrument=replace(US_2703D, requires_judicial_authorisation=False),
                                    targets=[TargetFacts("account", "a", "DE")]), "refuse", "P7-jurisdiction"),
    ("emergency-confirmed-by-a-person", info(request_type="emergency_disclosure", instrument=None,
                                             instrument_code=None, emergency=True), "needs_review", "P12-emergency"),
    ("rule-of-law-tier", tco(tier=2), "needs_review", "P6-rule-of-law"),
    ("rule-of-law-tier", tco(tier=3), "escalate", "P6-rule-of-law"),
]


@pytest.mark.parametrize(("rule_id", "facts", "outcome", "principle"), CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_each_rule_fails_where_it_must(rule_id: str, facts: RequestFacts, outcome: str, principle: str) -> None:
    ev = evaluate(facts)
    hit = rule(ev, rule_id)
    assert hit.result == "fail" and hit.outcome == outcome and hit.principle == principle
    assert ev.outcome == outcome, ev.reasons()
    assert principle in ev.principles


def test_political_speech_without_violence_is_not_touched_by_tco_but_terror_is() -> None:
    assert rule(evaluate(tco()), "peaceful-protest").result == "pass"  # "attack" alone is not political
    assert rule(evaluate(info(text="protest")), "peaceful-protest").result == "skip"  # disclosures: other rules
    ev = evaluate(tco(targets=[TargetFacts("content", "c", "FR", "Meeting on 3 March about the budget")]))
    assert rule(ev, "peaceful-protest").result == "pass"  # the month is not a march


def test_eu_instruments_reach_the_whole_union_national_ones_only_their_country() -> None:
    assert evaluate(tco(targets=[TargetFacts("content", "c", "DE")])).outcome == "comply"
    us = info(request_type="non_eu_legal_process", country="US", country_is_eu=False,
              instrument=replace(US_2703D, requires_judicial_authorisation=False),
              targets=[TargetFacts("account", "a", "US")])
    assert rule(evaluate(us), "target-in-jurisdiction").result == "pass"


def test_lower_tiers_never_get_automated_compliance_and_reviews_satisfy_only_their_level() -> None:
    assert evaluate(tco(tier=2)).outcome == "needs_review"
    assert evaluate(tco(tier=2, review_level=1)).outcome == "comply"
    assert evaluate(tco(tier=3, review_level=1)).outcome == "escalate"
    assert evaluate(tco(tier=3, review_level=2)).outcome == "comply"
    ev = evaluate(tco(tier=3, review_level=2))
    assert rule(ev, "rule-of-law-tier").satisfied_by_review is True


def test_refusals_are_final_whatever_the_review() -> None:
    for facts in (info(data_categories=["encryption_keys"]), tco(service_status="withdrawn")):
        assert evaluate(replace(facts, review_level=2)).outcome == "refuse"


def test_refuse_outranks_everything_and_cites_only_the_decisive_principles() -> None:
    ev = evaluate(tco(tier=3, text="", targets=[TargetFacts("channel", "c", "FR", "Peaceful protest updates")]))
    assert ev.outcome == "refuse" and ev.principles == ["P2-peaceful-protest"]
    assert {t.principle for t in ev.trace if t.result == "fail"} == {"P2-peaceful-protest", "P6-rule-of-law"}


def test_partial_data_categories_and_e2ee_note() -> None:
    ev = evaluate(info(data_categories=["subscriber", "traffic"], review_level=1))
    assert ev.outcome == "comply" and ev.allowed_categories == ["subscriber"]
    note = rule(ev, "e2ee-out-of-reach")
    assert note.result == "note" and "end-to-end-encrypted" in note.reason


def test_rule_table_is_checked_when_loaded() -> None:
    good = {"version": "t", "principles": {"P": {"title": "p"}},
            "rules": [{"id": "r", "principle": "P", "check": "rule_of_law_tier", "outcome": "escalate"}]}
    assert parse_policy(good).rules[0].check == "rule_of_law_tier"
    bad_check = {**good, "rules": [{**good["rules"][0], "check": "nope"}]}  # type: ignore[dict-item]
    bad_principle = {**good, "rules": [{**good["rules"][0], "principle": "Q"}]}  # type: ignore[dict-item]
    bad_outcome = {**good, "rules": [{**good["rules"][0], "outcome": "maybe"}]}  # type: ignore[dict-item]
    bad_regex = {**good, "rules": [{**good["rules"][0], "params": {"patterns": ["("]}}]}  # type: ignore[dict-item]
    duplicate = {**good, "rules": good["rules"] * 2}  # type: ignore[operator]
    for doc, message in ((bad_check, "unknown check"), (bad_principle, "unknown principle"),
                         (bad_outcome, "unknown outcome"), (duplicate, "duplicate")):
        with pytest.raises(ValueError, match=message):
            parse_policy(doc)
    with pytest.raises(Exception, match="missing"):
        parse_policy(bad_regex)
    shipped = load_policy()
    assert {r.check for r in shipped.rules} <= set(CHECKS)
    assert len(shipped.principles) >= 10


def test_a_custom_rule_table_changes_the_outcome_without_code() -> None:
    doc = {"version": "strict", "principles": {"P6-rule-of-law": {"title": "x"}},
           "rules": [{"id": "tier", "principle": "P6-rule-of-law", "check": "rule_of_law_tier", "outcome": "escalate",
                      "params": {"tiers": {1: "needs_review"}}}]}
    assert evaluate(tco(), parse_policy(doc)).outcome == "needs_review"
