"""The screening pipeline: signals for each ingested item, rules over them, decisions from the verdicts.

For a batch of ingested items (whose media ingest has already hashed: PDQ from image bytes, exact
digests) it (1) matches exact hashes, PDQ hashes within the threshold and text against every enabled bank,
(2) scores text with the classifiers, (3) lets negative banks veto matches, (4) evaluates the rules and
(5) records every verdict through :func:`poise.actions.service.decide_many` with the rule and the signals
that caused it, idempotent per (event, rule, outcome) so a redelivered event never decides twice. Shadow
rules are audited only. Escalations open a review case. Finally channel rules ban channels whose posts
keep being removed.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from poise.actions.channel_removals import removals_since
from poise.actions.service import DecisionInput, decide_many
from poise.actions.vocabulary import RESTRICTIVE_OUTCOMES, AutomatedDecision, DecisionSource, Outcome
from poise.audit import AuditRecord
from poise.audit.log import append_records
from poise.core.clock import utcnow
from poise.ingest.service import IngestedItem, Screener
from poise.screening.bank_state import BankState
from poise.screening.classifiers import TextClassifier, default_classifier
from poise.screening.rules import ChannelRule, ItemRule, ItemSignals, RuleSet, SignalMatch, load_rules
from poise.settings import Settings
from poise.store.db import Database
from poise.store.models import Case, Channel, ContentItem

ACTOR = "poise-screening"
ACTOR_ROLE = "system"
HASH_TYPES = frozenset({"pdq", "sha256", "md5"})


def _text_of(item: IngestedItem) -> str:
    ev = item.event
    if item.subject_type == "content":
        return ev.text or ""
    if item.subject_type == "channel":
        return ev.title or ""
    return " ".join(t for t in (ev.handle, ev.display_name) if t)


class ScreeningPipeline:
    """Implements :class:`poise.ingest.service.Screener` over banks, classifiers and rules."""

    def __init__(self, rules: RuleSet, *, classifier: TextClassifier | None, pdq_threshold: int = 31) -> None:
        self.rules = rules
        self.classifier = classifier
        self.pdq_threshold = pdq_threshold
        self.banks = BankState()
        self._lock = threading.Lock()

    # -- signals --------------------------------------------------------------------------------------
    def _match(self, items: Sequence[IngestedItem]) -> list[ItemSignals]:
        state = self.banks
        out = [ItemSignals(subject_type=item.subject_type) for item in items]
        pdq_queries: list[tuple[int, str | None, str]] = []
        for n, item in enumerate(items):
            for media in item.media:
                for kind in ("sha256", "md5"):
                    value = getattr(media, kind)
                    for signal_id in state.exact.get((kind, value), []) if value else []:
                        out[n].matches.append(self._signal_match(signal_id, 0, media.id))
                if media.pdq:
                    pdq_queries.append((n, media.id, media.pdq))
                    out[n].pdq_quality = max(out[n].pdq_quality or 0, media.pdq_quality or 0)
        if pdq_queries and len(state.pdq):
            found = state.pdq.search([q[2] for q in pdq_queries], self.pdq_threshold)
            for (n, media_id, _), hits in zip(pdq_queries, found, strict=True):
                out[n].matches.extend(self._signal_match(h.key, h.distance, media_id) for h in hits)
        texts = [_text_of(item) for item in items]
        if state.text is not None:
            for n, pattern_ids in enumerate(state.text.match_many(texts)):
                out[n].matches.extend(self._signal_match(state.text_ids[p], 0, None) for p in pattern_ids)
        if self.classifier is not None:
            scored = [n for n, t in enumerate(texts) if t.strip()]
            for n, scores in zip(scored, self.classifier.score([texts[n] for n in scored]), strict=True):
                out[n].classifier_scores = scores
        for signals in out:
            self._apply_negative_banks(signals)
        return out

    def _signal_match(self, signal_id: str, distance: int, media_id: str | None) -> SignalMatch:
        s = self.banks.signals[signal_id]
        return SignalMatch(signal_id, s.bank, s.category, s.signal_type, s.value, distance, media_id)

    def _apply_negative_banks(self, signals: ItemSignals) -> None:
        """A match in a negative (known-good) bank vetoes the positive matches of the same kind."""
        negative = {self.banks.signals[m.signal_id].negative for m in signals.matches}
        if True not in negative:
            return
        vetoed_media = {m.media_id for m in signals.matches
                        if self.banks.signals[m.signal_id].negative and m.signal_type in HASH_TYPES}
        vetoed_text = any(self.banks.signals[m.signal_id].negative and m.signal_type not in HASH_TYPES
                          for m in signals.matches)
        signals.matches = [m for m in signals.matches if not self.banks.signals[m.signal_id].negative
                           and not (m.signal_type in HASH_TYPES and m.media_id in vetoed_media)
                           and not (m.signal_type not in HASH_TYPES and vetoed_text)]

    # -- verdicts -------------------------------------------------------------------------------------
    def screen(self, session: Session, items: Sequence[IngestedItem]) -> dict[int, list[str]]:
        """Screen newly ingested items; returns the ids of the decisions made per item index."""
        if not items:
            return {}
        with self._lock:
            self.banks.refresh(session)
            signals = self._match(items)
        inputs: list[tuple[int, DecisionInput]] = []
        shadow: list[AuditRecord] = []
        escalations: list[tuple[IngestedItem, ItemRule, list[SignalMatch]]] = []
        for item, item_signals in zip(items, signals, strict=True):
            for rule in self.rules.item_rules:
                holds, evidence = rule.when.evaluate(item_signals)
                if not holds:
                    continue
                if rule.mode == "shadow":
                    shadow.append(AuditRecord(ACTOR, ACTOR_ROLE, "screening.shadow_verdict", item.subject_type,
                                              item.subject_id, {"rule_id": rule.id,
                                                                "outcome": rule.then.outcome.value,
                                                                "signals": [m.signal_id for m in evidence]}))
                    continue
                for outcome in [rule.then.outcome, *rule.then.also]:
                    inputs.append((item.index, self._decision(item, item_signals, rule, outcome, evidence)))
                if rule.then.outcome is Outcome.ESCALATE:
                    escalations.append((item, rule, evidence))
        if shadow:
            append_records(session, shadow)
        results = decide_many(session, [inp for _, inp in inputs])
        decided: dict[int, list[str]] = {}
        for (index, _), result in zip(inputs, results, strict=True):
            decided.setdefault(index, []).append(result.decision_id)
        self._open_review_cases(session, escalations, results, inputs)
        self._aggregate_channels(session, items, inputs, results)
        return decided

    def _decision(self, item: IngestedItem, signals: ItemSignals, rule: ItemRule, outcome: Outcome,
                  evidence: list[SignalMatch]) -> DecisionInput:
        categories = [m.category for m in evidence]
        category = rule.then.category or (categories[0] if categories else None)
        if any(m.signal_type in HASH_TYPES for m in evidence):
            source = DecisionSource.HASH_MATCH
        elif evidence:
            source = DecisionSource.RULE
        else:
            source = DecisionSource.CLASSIFIER
        signal: dict[str, Any] = {"matches": [{"signal_id": m.signal_id, "bank": m.bank, "type": m.signal_type,
                                               "distance": m.distance, "media_id": m.media_id} for m in evidence]}
        if source is DecisionSource.CLASSIFIER:
            signal["classifier_scores"] = {k: round(v, 4) for k, v in signals.classifier_scores.items()}
        escalate = outcome is Outcome.ESCALATE
        return DecisionInput(
            subject_type=item.subject_type, subject_id=item.subject_id, outcome=outcome, source=source,
            actor=ACTOR, actor_role=ACTOR_ROLE, ground=rule.then.ground.value, category=category,
            legal_reference=rule.then.legal_reference, policy=rule.description or rule.id, rule_id=rule.id,
            signal=signal, explanation=rule.then.explanation, automated_detection=True,
            automated_decision=AutomatedDecision.PARTIALLY if escalate else AutomatedDecision.FULLY,
            idempotency_key=f"screen:{item.event.event_id}:{rule.id}:{outcome.value}",
            target_external_id=item.event.post_id or item.event.channel_id or item.event.account_id)

    def _open_review_cases(self, session: Session, escalations: list[tuple[IngestedItem, ItemRule, list[SignalMatch]]],
                           results: Sequence[Any], inputs: Sequence[tuple[int, DecisionInput]]) -> None:
        """An escalation opens a review case (once: a replayed escalation finds its case)."""
        created = {inp.idempotency_key for (_, inp), r in zip(inputs, results, strict=True) if r.created}
        for item, rule, _ in escalations:
            if f"screen:{item.event.event_id}:{rule.id}:{Outcome.ESCALATE.value}" not in created:
                continue
            session.add(Case(subject_type=item.subject_type, subject_id=item.subject_id, status="open",
                             priority=rule.then.review_priority, category=rule.then.category, source="screening",
                             summary=f"Screening rule {rule.id}: {rule.description}".strip(),
                             due_at=utcnow() + timedelta(hours=24)))

    def _aggregate_channels(self, session: Session, items: Sequence[IngestedItem],
                            inputs: Sequence[tuple[int, DecisionInput]], results: Sequence[Any]) -> None:
        """Apply channel rules to the channels whose posts were just removed."""
        if not self.rules.channel_rules:
            return
        content_ids = {inp.subject_id for (_, inp), r in zip(inputs, results, strict=True)
                       if r.created and inp.subject_type == "content" and inp.outcome in RESTRICTIVE_OUTCOMES}
        if not content_ids:
            return
        external_of = {channel_id: external for channel_id, external in session.execute(
            select(Channel.id, Channel.external_id).join(ContentItem, ContentItem.channel_id == Channel.id)
            .where(ContentItem.id.in_(content_ids), Channel.status != "banned").distinct()).all()}
        channels = sorted(external_of)  # touched just now and not banned yet
        aggregated: list[DecisionInput] = []
        shadow: list[AuditRecord] = []
        for rule in self.rules.channel_rules:
            counts = self._removals(session, channels, rule)
            for channel_id in channels:
                count = counts.get(channel_id, 0)
                if count < rule.min_removals:
                    continue
                if rule.mode == "shadow":
                    shadow.append(AuditRecord(ACTOR, ACTOR_ROLE, "screening.shadow_verdict", "channel", channel_id,
                                              {"rule_id": rule.id, "outcome": rule.outcome.value, "removals": count}))
                    continue
                aggregated.append(DecisionInput(
                    subject_type="channel", subject_id=channel_id, outcome=rule.outcome, source=DecisionSource.RULE,
                    actor=ACTOR, actor_role=ACTOR_ROLE, ground=rule.ground.value, policy=rule.description or rule.id,
                    rule_id=rule.id, signal={"removals": count, "window_hours": rule.window_hours},
                    explanation=f"{count} posts of this channel were removed within {rule.window_hours} hours.",
                    automated_detection=True, automated_decision=AutomatedDecision.FULLY,
                    idempotency_key=f"channel:{rule.id}:{channel_id}:{count // rule.min_removals}",
                    target_external_id=external_of[channel_id]))
        if shadow:
            append_records(session, shadow)
        if aggregated:
            decide_many(session, aggregated)

    @staticmethod
    def _removals(session: Session, channels: list[str], rule: ChannelRule) -> dict[str, int]:
        """Posts removed per channel within the rule's window (see :mod:`poise.actions.channel_removals`)."""
        return removals_since(session, channels, utcnow() - timedelta(hours=rule.window_hours), rule.categories)


def build_screener(db: Database, settings: Settings) -> Screener | None:
    """The screener for this deployment (None when screening is switched off)."""
    if not settings.screening_enabled:
        return None
    classifier = default_classifier() if settings.classifiers_enabled else None
    rules = load_rules(settings.screening_rules, known_labels=classifier.labels if classifier else None)
    return ScreeningPipeline(rules, classifier=classifier, pdq_threshold=settings.pdq_threshold)
