"""The policy engine: Poise's principles applied to every authority request, as data plus small checks.

The rules live in ``poise/data/principles.yaml`` (order, principle, outcome, parameters); each names a check
in :data:`CHECKS`. :func:`evaluate` is pure: it takes :class:`RequestFacts` (built from the database by
:mod:`poise.authority.requests`) and returns an :class:`Evaluation` with the outcome and the full rule trace.

Outcomes, from mildest to strongest: ``comply`` (Poise may act without review), ``needs_review`` (a legal
officer must review), ``escalate`` (a senior reviewer, i.e. an admin, must review), ``refuse`` (final; no
review overrides it). A review satisfies the rules it is senior enough for; :attr:`RequestFacts.review_level`
is 0 (none), 1 (legal officer) or 2 (senior).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from poise.authority.vocabulary import FORBIDDEN_DATA, JUDICIAL_ISSUERS, RequestType, request_type

PRINCIPLES_PATH = Path(__file__).resolve().parent.parent / "data" / "principles.yaml"
SEVERITY = {"comply": 0, "needs_review": 1, "escalate": 2, "refuse": 3}
REVIEW_NEEDED = {"needs_review": 1, "escalate": 2}
OUTCOMES = (*SEVERITY, "note")


@dataclass(frozen=True)
class InstrumentFacts:
    """A configured legal instrument, as the engine sees it."""

    code: str
    jurisdiction_code: str
    title: str
    request_types: tuple[str, ...]
    data_categories: tuple[str, ...]
    requires_judicial_authorisation: bool = False


@dataclass(frozen=True)
class TargetFacts:
    """An account, channel or post a request is about: where it is and what it says."""

    type: str
    id: str
    country: str | None
    text: str = ""


@dataclass
class RequestFacts:
    """Everything the rules look at, with no database behind it (tests build these directly)."""

    request_type: str
    kind: str
    country: str
    country_is_eu: bool
    tier: int
    service_status: str
    authority_verified: bool
    instrument: InstrumentFacts | None
    instrument_code: str | None = None
    data_categories: list[str] = field(default_factory=list)
    issuer_type: str = "police"
    judicially_authorised: bool = False
    scope: str = "targeted"
    targets: list[TargetFacts] = field(default_factory=list)
    text: str = ""
    emergency: bool = False
    received_on: date = field(default_factory=date.today)
    eu_countries: frozenset[str] = frozenset()
    review_level: int = 0

    @property
    def spec(self) -> RequestType:
        found = request_type(self.request_type)
        if found is None:
            raise ValueError(f"unknown request type {self.request_type!r}")
        return found


@dataclass(frozen=True)
class Verdict:
    """What one check found: ``pass``, ``fail`` (with an outcome), ``skip`` (not applicable) or ``note``."""

    result: str
    reason: str
    outcome: str | None = None


def passed(reason: str) -> Verdict:
    return Verdict("pass", reason)


def failed(reason: str, outcome: str | None = None) -> Verdict:
    return Verdict("fail", reason, outcome)


def skipped(reason: str) -> Verdict:
    return Verdict("skip", reason)


@dataclass(frozen=True)
class Rule:
    """One row of the rule table."""

    id: str
    principle: str
    check: str
    outcome: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Policy:
    """The loaded, checked rule table."""

    version: str
    principles: dict[str, dict[str, Any]]
    rules: list[Rule]


@dataclass(frozen=True)
class TraceEntry:
    """One rule's result in an evaluation (what the audit entry and the requester see)."""

    rule: str
    principle: str
    result: str
    outcome: str
    reason: str
    satisfied_by_review: bool = False


@dataclass
class Evaluation:
    """The outcome of evaluating a request, the principles it rests on and the trace of every rule."""

    outcome: str
    principles: list[str]
    trace: list[TraceEntry]
    allowed_categories: list[str]
    version: str

    def trace_dicts(self) -> list[dict[str, Any]]:
        return [asdict(t) for t in self.trace]

    def reasons(self) -> list[str]:
        """The reasons of the rules that failed, for people."""
        return [f"{t.principle}: {t.reason}" for t in self.trace if t.result == "fail"]


# --- helpers ------------------------------------------------------------------------------------------------

def _matches(patterns: list[str], text: str) -> list[str]:
    return [m.group(0) for p in patterns if (m := re.search(p, text, re.IGNORECASE))]


def _all_text(facts: RequestFacts) -> str:
    return "\n".join([facts.text, *(t.text for t in facts.targets)])


def real_categories(facts: RequestFacts) -> list[str]:
    """Requested data categories Poise could ever disclose (forbidden ones are handled by their own rules)."""
    return [c for c in facts.data_categories if c not in FORBIDDEN_DATA]


def allowed_categories(facts: RequestFacts) -> list[str]:
    """Requested categories that both the instrument and the request type allow (minimal data)."""
    allowed = set(real_categories(facts))
    if facts.instrument is not None:
        allowed &= set(facts.instrument.data_categories)
    elif facts.spec.instrument_required:
        return []
    if facts.spec.data_categories is not None:
        allowed &= set(facts.spec.data_categories)
    return [c for c in real_categories(facts) if c in allowed]


# --- checks -------------------------------------------------------------------------------------------------

def check_country_withdrawn(facts: RequestFacts, params: dict[str, Any]) -> Verdict:
    if facts.service_status == "withdrawn":
        return failed(f"the service has withdrawn from {facts.country}; its requests are not answered")
    return passed(f"the service operates in {facts.country}")


def check_authority_verified(facts: RequestFacts, params: dict[str, Any]) -> Verdict:
    return passed("the authority is verified") if facts.authority_verified else failed(
        "the requesting authority is not verified")


def check_forbidden_request(facts: RequestFacts, params: dict[str, Any]) -> Verdict:
    asked = [c for c in facts.data_categories if c in params.get("categories", [])]
    said = _matches(params.get("patterns", []), facts.text)
    if asked or said:
        what = ", ".join([*asked, *(f"'{s}'" for s in said)])
        return failed(f"the request asks for encryption keys or a backdoor ({what})")
    return passed("no keys, backdoor or weakening of encryption asked for")


def check_bulk_request(facts: RequestFacts, params: dict[str, Any]) -> Verdict:
    found: list[str] = [c for c in facts.data_categories if c in params.get("categories", [])]
    if facts.scope in params.get("scopes", []):
        found.append(f"scope {facts.scope}")
    accounts = [t for t in facts.targets if t.type == "account"]
    if facts.kind != "act" and len(accounts) > int(params.get("max_accounts", 50)):
        found.append(f"{len(accounts)} accounts in one request")
    found += [f"'{s}'" for s in _matches(params.get("patterns", []), facts.text)]
    if found:
        return failed(f"the request is not targeted: bulk or indiscriminate surveillance ({', '.join(found)})")
    return passed("the request is targeted")


def check_political_speech(facts: RequestFacts, params: dict[str, Any]) -> Verdict:
    if facts.kind not in params.get("kinds", ["act"]):
        return skipped("the request does not restrict content")
    text = _all_text(facts)
    political = _matches(params.get("political_patterns", []), text)
    if not political:
        return passed("no political speech among the targeted material")
    violence = _matches(params.get("violence_patterns", []), text)
    if violence:
        return failed(f"political speech ({', '.join(political[:3])}) together with violence "
                      f"({', '.join(violence[:3])}): a senior reviewer decides", params.get("violence_outcome"))
    return failed(f"the targeted material is peaceful political speech ({', '.join(political[:3])}); "
                  "it is not removed or blocked, whoever asks")


def check_eu_type_from_eu(facts: RequestFacts, params: dict[str, Any]) -> Verdict:
    if not facts.spec.eu_only:
        return skipped("not an EU instrument")
    if facts.country_is_eu:
        return passed(f"{facts.country} may issue {facts.spec.title}")
    return failed(f"{facts.spec.title} can only be issued by an EU Member State; {facts.country} is not one")


def check_instrument_matches(facts: RequestFacts, params: dict[str, Any]) -> Verdict:
    if not facts.spec.instrument_required:
        return skipped(f"{facts.request_type} needs no configured instrument")
    ins = facts.instrument
    if ins is None:
        if facts.instrument_code:
            return failed(f"the instrument {facts.instrument_code} is not configured for {facts.country}")
        return failed(f"no legal instrument configured for {facts.country} covers {facts.request_type}")
    if ins.jurisdiction_code not in (facts.country, "EU") or (ins.jurisdiction_code == "EU"
                                                              and not facts.country_is_eu):
        return failed(f"the instrument {ins.code} does not apply to {facts.country}")
    if facts.request_type not in ins.request_types:
        return failed(f"the instrument {ins.code} does not cover {facts.request_type}")
    return passed(f"legal basis: {ins.title}")


def check_in_force(facts: RequestFacts, params: dict[str, Any]) -> Verdict:
    start = facts.spec.applicable_from
    if start is not None and facts.received_on < start:
        return failed(f"{facts.spec.legal_text} applies from {start.isoformat()}")
    return passed("the legal basis is in force")


def check_data_categories_allowed(facts: RequestFacts, params: dict[str, Any]) -> Verdict:
    if facts.kind != "information":
        return skipped("no data is disclosed")
    asked = real_categories(facts)
    if not asked:
        if any(c in FORBIDDEN_DATA for c in facts.data_categories):
            return skipped("only data Poise never hands over was asked for (see the rules on keys and bulk)")
        return failed("the request names no data category Poise holds")
    allowed = allowed_categories(facts)
    if not allowed:
        return failed(f"the legal basis allows none of the requested data ({', '.join(asked)})")
    dropped = [c for c in asked if c not in allowed]
    if dropped:
        return failed(f"only {', '.join(allowed)} can be disclosed; {', '.join(dropped)} is outside the legal "
                      "basis", params.get("partial_outcome"))
    return passed(f"{', '.join(allowed)} within the legal basis")


def check_judicial_authorisation(facts: RequestFacts, params: dict[str, Any]) -> Verdict:
    if facts.kind not in params.get("kinds", ["information"]):
        return skipped("no data is disclosed")
    needs = [c for c in allowed_categories(facts) if c in params.get("categories", [])]  # others are not given
    if facts.instrument is not None and facts.instrument.requires_judicial_authorisation:
        needs = needs or ["this instrument"]
    if not needs:
        return skipped("no category that needs a judge")
    if facts.judicially_authorised or facts.issuer_type in JUDICIAL_ISSUERS:
        return passed(f"{', '.join(needs)} authorised by a judge or court")
    return failed(f"{', '.join(needs)} needs authorisation by a judge or court; this request comes from a "
                  f"{facts.issuer_type} without one")


def check_targets_in_jurisdiction(facts: RequestFacts, params: dict[str, Any]) -> Verdict:
    if not facts.targets:
        return skipped("no target")
    eu_wide = facts.spec.eu_only or (facts.instrument is not None and facts.instrument.jurisdiction_code == "EU")
    area = facts.eu_countries if eu_wide else frozenset({facts.country})
    where = "the EU" if eu_wide else facts.country
    outside = [f"{t.type} {t.id} ({t.country})" for t in facts.targets if t.country and t.country not in area]
    unknown = [f"{t.type} {t.id}" for t in facts.targets if not t.country]
    lenient = facts.request_type in params.get("lenient_types", ["emergency_disclosure"])
    if outside:
        return failed(f"outside {where}: {', '.join(outside[:5])}",
                      params.get("unknown_outcome") if lenient else None)
    if unknown:
        return failed(f"location unknown, a person checks it is within {where}: {', '.join(unknown[:5])}",
                      params.get("unknown_outcome"))
    return passed(f"every target is within {where}")


def check_emergency_needs_person(facts: RequestFacts, params: dict[str, Any]) -> Verdict:
    if facts.request_type != "emergency_disclosure":
        return skipped("not an emergency disclosure")
    return failed("a legal officer must confirm the imminent threat to life before anything is disclosed")


def check_rule_of_law_tier(facts: RequestFacts, params: dict[str, Any]) -> Verdict:
    tiers = {int(k): v for k, v in params.get("tiers", {}).items()}
    outcome = tiers.get(facts.tier, "escalate")
    if outcome == "comply":
        return passed(f"{facts.country} is rule-of-law tier {facts.tier}")
    return failed(f"{facts.country} is rule-of-law tier {facts.tier}: {outcome.replace('_', ' ')}, "
                  "never automated compliance", outcome)


def check_e2ee_notice(facts: RequestFacts, params: dict[str, Any]) -> Verdict:
    if facts.kind != "information":
        return skipped("no data is disclosed")
    return Verdict("note", "end-to-end-encrypted chats are never received or stored by Poise and cannot be "
                           "disclosed; content data means public posts only")


CHECKS: dict[str, Callable[[RequestFacts, dict[str, Any]], Verdict]] = {
    "country_withdrawn": check_country_withdrawn,
    "authority_verified": check_authority_verified,
    "forbidden_request": check_forbidden_request,
    "bulk_request": check_bulk_request,
    "political_speech": check_political_speech,
    "eu_type_from_eu": check_eu_type_from_eu,
    "instrument_matches": check_instrument_matches,
    "in_force": check_in_force,
    "data_categories_allowed": check_data_categories_allowed,
    "judicial_authorisation": check_judicial_authorisation,
    "targets_in_jurisdiction": check_targets_in_jurisdiction,
    "emergency_needs_person": check_emergency_needs_person,
    "rule_of_law_tier": check_rule_of_law_tier,
    "e2ee_notice": check_e2ee_notice,
}


# --- loading and evaluating ---------------------------------------------------------------------------------

def parse_policy(doc: dict[str, Any]) -> Policy:
    """Build and statically check a policy: unknown checks, principles, outcomes or bad patterns fail here."""
    principles = dict(doc.get("principles") or {})
    rules: list[Rule] = []
    seen: set[str] = set()
    for raw in doc.get("rules") or []:
        rule = Rule(id=str(raw["id"]), principle=str(raw["principle"]), check=str(raw["check"]),
                    outcome=str(raw["outcome"]), params=dict(raw.get("params") or {}))
        if rule.id in seen:
            raise ValueError(f"duplicate rule id {rule.id}")
        seen.add(rule.id)
        if rule.check not in CHECKS:
            raise ValueError(f"rule {rule.id}: unknown check {rule.check!r}")
        if rule.principle not in principles:
            raise ValueError(f"rule {rule.id}: unknown principle {rule.principle!r}")
        if rule.outcome not in OUTCOMES:
            raise ValueError(f"rule {rule.id}: unknown outcome {rule.outcome!r}")
        for key, value in rule.params.items():
            if key.endswith("patterns"):
                for pattern in value:
                    re.compile(pattern)
            if key.endswith("outcome") and value not in OUTCOMES:
                raise ValueError(f"rule {rule.id}: unknown {key} {value!r}")
        rules.append(rule)
    if not rules:
        raise ValueError("a policy needs rules")
    return Policy(version=str(doc.get("version", "unversioned")), principles=principles, rules=rules)


@lru_cache(maxsize=4)
def load_policy(path: Path = PRINCIPLES_PATH) -> Policy:
    """The policy from YAML (cached; it is data shipped with the code)."""
    return parse_policy(yaml.safe_load(path.read_text("utf-8")))


def evaluate(facts: RequestFacts, policy: Policy | None = None) -> Evaluation:
    """Run every rule over the facts; the outcome is the strongest failure a review has not satisfied."""
    policy = policy or load_policy()
    trace: list[TraceEntry] = []
    for rule in policy.rules:
        verdict = CHECKS[rule.check](facts, rule.params)
        outcome = (verdict.outcome or rule.outcome) if verdict.result == "fail" else (
            "note" if verdict.result == "note" else "comply")
        satisfied = verdict.result == "fail" and facts.review_level >= REVIEW_NEEDED.get(outcome, 99)
        trace.append(TraceEntry(rule.id, rule.principle, verdict.result, outcome, verdict.reason, satisfied))
    open_failures = [t for t in trace if t.result == "fail" and not t.satisfied_by_review]
    final = max((t.outcome for t in open_failures), key=lambda o: SEVERITY[o], default="comply")
    principles = list(dict.fromkeys(t.principle for t in open_failures if t.outcome == final))
    allowed = allowed_categories(facts) if facts.kind == "information" else []
    return Evaluation(outcome=final, principles=principles, trace=trace, allowed_categories=allowed,
                      version=policy.version)
