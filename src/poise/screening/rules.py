"""Declarative screening rules: signals in, verdicts out.

Rules are data (YAML), checked before they go live (:func:`load_rules` validates every field, the outcome
against the subject types, categories against the taxonomy and classifier labels), and evaluated with a
small closed condition language: ``all`` / ``any`` / ``not`` over atomic tests on an item's signals
(``bank``, ``bank_category``, ``signal_type``, ``classifier``, ``subject_type``, ``min_pdq_quality``). No
loops, no code. A rule in ``shadow`` mode is evaluated and its would-be verdict audited, but nothing is
enforced: the way to try a new rule on live traffic.

Item rules act on one item; channel rules aggregate: a channel whose posts keep being removed within a
window is banned as a whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from poise.actions.vocabulary import Ground, Outcome, action_for
from poise.core.errors import Unprocessable
from poise.taxonomy import CATEGORIES


@dataclass(frozen=True)
class SignalMatch:
    """One bank signal an item matched, and how (distance for PDQ, 0 for exact)."""

    signal_id: str
    bank: str
    category: str
    signal_type: str
    value: str
    distance: int = 0
    media_id: str | None = None


@dataclass
class ItemSignals:
    """Everything screening found about one item, as the rules see it."""

    subject_type: str
    matches: list[SignalMatch] = field(default_factory=list)
    classifier_scores: dict[str, float] = field(default_factory=dict)
    pdq_quality: int | None = None


class ClassifierTest(BaseModel):
    """True when the classifier gives ``label`` at least ``min_score``."""

    model_config = ConfigDict(extra="forbid")
    label: str
    min_score: float = Field(ge=0.0, le=1.0)


class Condition(BaseModel):
    """Exactly one of: a combinator (all/any/not) or an atomic test."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    all: list[Condition] | None = None
    any: list[Condition] | None = None
    not_: Condition | None = Field(None, alias="not")
    bank: list[str] | None = None
    bank_category: list[str] | None = None
    signal_type: list[str] | None = None
    classifier: ClassifierTest | None = None
    subject_type: list[str] | None = None
    min_pdq_quality: int | None = Field(None, ge=0, le=100)

    @model_validator(mode="after")
    def _exactly_one(self) -> Condition:
        set_fields = [name for name in type(self).model_fields if getattr(self, name) is not None]
        if len(set_fields) != 1:
            raise ValueError(f"a condition has exactly one key, got {set_fields or 'none'}")
        return self

    def evaluate(self, item: ItemSignals) -> tuple[bool, list[SignalMatch]]:
        """Whether the condition holds, and the matches that made it hold (the evidence)."""
        if self.all is not None:
            evidence: list[SignalMatch] = []
            for part in self.all:
                ok, found = part.evaluate(item)
                if not ok:
                    return False, []
                evidence += found
            return True, evidence
        if self.any is not None:
            for part in self.any:
                ok, found = part.evaluate(item)
                if ok:
                    return True, found
            return False, []
        if self.not_ is not None:
            return (not self.not_.evaluate(item)[0]), []
        if self.classifier is not None:
            return item.classifier_scores.get(self.classifier.label, 0.0) >= self.classifier.min_score, []
        if self.subject_type is not None:
            return item.subject_type in self.subject_type, []
        if self.min_pdq_quality is not None:
            return (item.pdq_quality or 0) >= self.min_pdq_quality, []
        found = [m for m in item.matches if self._admits(m)]
        return bool(found), found

    def _admits(self, match: SignalMatch) -> bool:
        if self.bank is not None:
            return match.bank in self.bank
        if self.bank_category is not None:
            return match.category in self.bank_category
        return self.signal_type is not None and match.signal_type in self.signal_type

    def walk(self) -> list[Condition]:
        """This condition and all nested ones."""
        nested = [*(self.all or []), *(self.any or []), *([self.not_] if self.not_ else [])]
        return [self, *(c for n in nested for c in n.walk())]


class Verdict(BaseModel):
    """What an item rule decides: an outcome (plus extra ones such as ``preserve``) and its grounds."""

    model_config = ConfigDict(extra="forbid")
    outcome: Outcome
    also: list[Outcome] = Field(default_factory=list)
    category: str | None = None
    ground: Ground = Ground.ILLEGAL
    legal_reference: str | None = None
    explanation: str | None = None
    review_priority: int = Field(50, ge=0, le=100)


class ItemRule(BaseModel):
    """If ``when`` holds for an item, decide ``then`` about it."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]{1,80}$")
    description: str = ""
    mode: Literal["enforce", "shadow"] = "enforce"
    when: Condition
    then: Verdict


class ChannelRule(BaseModel):
    """Ban a channel once ``min_removals`` of its posts were removed within ``window_hours``."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]{1,80}$")
    description: str = ""
    mode: Literal["enforce", "shadow"] = "enforce"
    min_removals: int = Field(ge=1)
    window_hours: int = Field(24, ge=1, le=24 * 90)
    categories: list[str] | None = None
    outcome: Outcome = Outcome.BAN_CHANNEL
    ground: Ground = Ground.ILLEGAL


class RuleSet(BaseModel):
    """A whole rules file."""

    model_config = ConfigDict(extra="forbid")
    version: int = 1
    item_rules: list[ItemRule] = Field(default_factory=list)
    channel_rules: list[ChannelRule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> RuleSet:
        ids = [r.id for r in self.item_rules] + [r.id for r in self.channel_rules]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate rule ids: {duplicates}")
        for rule in self.item_rules:
            categories = [rule.then.category] if rule.then.category else []
            for cond in rule.when.walk():
                categories += cond.bank_category or []
            unknown = [c for c in categories if c not in CATEGORIES]
            if unknown:
                raise ValueError(f"rule {rule.id}: unknown categories {unknown}")
            for outcome in [rule.then.outcome, *rule.then.also]:
                if outcome is not Outcome.ESCALATE and action_for(outcome, "content") is None \
                        and action_for(outcome, "channel") is None:
                    raise ValueError(f"rule {rule.id}: outcome {outcome.value} does not apply to content")
        for channel_rule in self.channel_rules:
            unknown = [c for c in channel_rule.categories or [] if c not in CATEGORIES]
            if unknown:
                raise ValueError(f"rule {channel_rule.id}: unknown categories {unknown}")
            if action_for(channel_rule.outcome, "channel") is None:
                raise ValueError(f"rule {channel_rule.id}: outcome {channel_rule.outcome.value} is not for channels")
        return self

    def classifier_labels(self) -> set[str]:
        """Classifier labels the rules refer to."""
        return {c.classifier.label for r in self.item_rules for c in r.when.walk() if c.classifier}


def parse_rules(data: Any, *, known_labels: Sequence[str] | None = None) -> RuleSet:
    """Validate a rules document; raises Unprocessable with every problem listed."""
    try:
        rules = RuleSet.model_validate(data)
    except ValidationError as exc:
        problems = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise Unprocessable("invalid screening rules", code="invalid_rules", details=problems) from exc
    if known_labels is not None:
        unknown = sorted(rules.classifier_labels() - set(known_labels))
        if unknown:
            raise Unprocessable(f"rules use unknown classifier labels {unknown}", code="invalid_rules")
    return rules


def load_rules(path: str | Path | None = None, *, known_labels: Sequence[str] | None = None) -> RuleSet:
    """Rules from a YAML file (default: the shipped ``data/screening_rules.yaml``)."""
    if path is None:
        text = resources.files("poise.data").joinpath("screening_rules.yaml").read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise Unprocessable(f"rules file is not valid YAML: {exc}", code="invalid_rules") from exc
    return parse_rules(data, known_labels=known_labels)
