"""Screening end to end: ingest -> signals -> rules -> decisions -> platform actions."""

from __future__ import annotations

import base64
import json

import pytest
from sqlalchemy import func, select

from poise.actions.vocabulary import Outcome
from poise.audit.models import AuditEntry
from poise.core.errors import Unprocessable
from poise.ingest.service import ingest_events
from poise.screening.bank_files import export_csv, import_csv, import_plain
from poise.screening.banks import add_signal
from poise.screening.classifiers import default_classifier
from poise.screening.media import pdq_from_bytes
from poise.screening.pipeline import ScreeningPipeline
from poise.screening.rules import load_rules, parse_rules
from poise.store.db import Database
from poise.store.models import Action, Case, Channel, ContentItem, Decision
from tests.test_media_signals import picture, reencoded


def pipeline(rules: dict | None = None) -> ScreeningPipeline:
    classifier = default_classifier()
    rule_set = parse_rules(rules) if rules is not None else load_rules(known_labels=classifier.labels)
    return ScreeningPipeline(rule_set, classifier=classifier)


def post(event_id: str, post_id: str, text: str = "", channel: str = "c1", image: bytes | None = None) -> dict:
    event: dict = {"event_id": event_id, "type": "post.created", "post_id": post_id, "channel_id": channel,
                   "account_id": "u1", "text": text}
    if image is not None:
        event["media"] = [{"media_id": f"m-{post_id}", "mime_type": "image/jpeg",
                           "data_base64": base64.b64encode(image).decode()}]
    return event


def decisions_for(db: Database, post_id: str) -> list[Decision]:
    with db.read_session() as s:
        content = s.execute(select(ContentItem).where(ContentItem.external_id == post_id)).scalar_one()
        found = list(s.execute(select(Decision).where(Decision.subject_id == content.id)).scalars())
        s.expunge_all()  # keep the loaded values readable after the session ends
        return found


def test_reupload_of_a_confirmed_image_is_blocked(any_db: Database) -> None:
    screener = pipeline()
    original = picture(21)
    with any_db.session() as s:
        first = ingest_events(s, [post("e1", "p1", "look", image=original)], screener)
    assert first.items[0].decisions == []  # unknown image: nothing happens
    with any_db.session() as s:  # a moderator confirms it: its hash goes into the CSAM bank
        add_signal(s, bank="csam-confirmed", signal_type="pdq", value=pdq_from_bytes(original).hex,
                   category="csam", actor="mod-1", actor_role="moderator", source_ref="case-1")
    with any_db.session() as s:  # re-uploaded, resized and recompressed, in another channel
        again = ingest_events(s, [post("e2", "p2", "again", channel="c2", image=reencoded(original, 500, 70))],
                              screener)
    assert len(again.items[0].decisions) == 2
    found = {d.outcome: d for d in decisions_for(any_db, "p2")}
    assert set(found) == {"remove", "preserve"}
    removal = found["remove"]
    assert removal.rule_id == "csam-known-media" and removal.category == "csam"
    assert removal.source == "automated_hash_match" and removal.automated_decision == "fully"
    assert removal.signal["matches"][0]["bank"] == "csam-confirmed"
    assert removal.signal["matches"][0]["distance"] <= 31
    with any_db.read_session() as s:
        kinds = {a.kind for a in s.execute(select(Action).where(Action.decision_id.in_(
            [d.id for d in found.values()]))).scalars()}
        assert kinds == {"remove_content", "preserve"}
        entries = s.execute(select(AuditEntry).where(AuditEntry.action == "decision.recorded")).scalars().all()
        assert any(json.loads(e.details).get("rule_id") == "csam-known-media" for e in entries)


def test_obfuscated_banked_text_is_removed(db: Database) -> None:
    with db.session() as s:
        import_csv(s, bank="drug-market", category="drugs", actor="t", actor_role="admin",
                   text="signal_type,signal_value,tags\nraw_text,buy cocaine,drugs\ndomain,candy-shop.example,\n")
    with db.session() as s:
        result = ingest_events(s, [post("e1", "p1", "Bu\u0443  C0\u200bCAINE here"),
                                   post("e2", "p2", "see https://www.CANDY-SHOP.example/menu"),
                                   post("e3", "p3", "cocoa and wine tonight")], pipeline())
    assert [len(i.decisions) for i in result.items] == [1, 1, 0]
    assert decisions_for(db, "p1")[0].rule_id == "banked-text-or-url"
    assert decisions_for(db, "p2")[0].source == "automated_rule"


def test_redelivered_events_never_decide_twice(any_db: Database) -> None:
    with any_db.session() as s:
        add_signal(s, bank="scam-words", signal_type="keyword", value="double your bitcoin", category="scam",
                   actor="t", actor_role="admin")
    screener = pipeline()
    events = [post("e1", "p1", "DOUBLE your b1tcoin now")]
    with any_db.session() as s:
        ingest_events(s, events, screener)
    with any_db.session() as s:
        again = ingest_events(s, events, screener)
    assert again.duplicates == 1
    # even if the idempotency table lost the event (a crash between steps), the decision is not repeated
    with any_db.session() as s:
        fresh = ScreeningPipeline(screener.rules, classifier=None)
        items = ingest_events(s, [post("e1-copy", "p1", "DOUBLE your b1tcoin now")], None)
        assert items.accepted == 1
    with any_db.session() as s:
        from poise.ingest.events import ContentEvent
        from poise.ingest.service import IngestedItem
        content = s.execute(select(ContentItem).where(ContentItem.external_id == "p1")).scalar_one()
        replay = IngestedItem(0, ContentEvent.model_validate(events[0]), "content", content.id)
        fresh.screen(s, [replay])
    assert len(decisions_for(any_db, "p1")) == 1
    with any_db.read_session() as s:
        assert s.execute(select(func.count()).select_from(Action)).scalar_one() == 1


def test_channel_whose_posts_keep_matching_is_banned(db: Database) -> None:
    with db.session() as s:
        import_plain(s, bank="scam-domains", category="scam", signal_type="domain", actor="t", actor_role="admin",
                     text="# known scam domains\nwin-prize.example\nnot a domain\n")
    screener = pipeline()
    with db.session() as s:
        ingest_events(s, [post(f"e{i}", f"p{i}", f"claim at win-prize.example #{i}", channel="scamchan")
                          for i in range(4)], screener)
        assert s.execute(select(Channel.status).where(Channel.external_id == "scamchan")).scalar_one() == "active"
    with db.session() as s:
        ingest_events(s, [post("e9", "p9", "win-prize.example again", channel="scamchan"),
                          post("e10", "p10", "win-prize.example", channel="otherchan")], screener)
    with db.read_session() as s:
        chan = s.execute(select(Channel).where(Channel.external_id == "scamchan")).scalar_one()
        assert chan.status == "banned"
        ban = s.execute(select(Decision).where(Decision.subject_id == chan.id)).scalar_one()
        assert ban.rule_id == "channel-repeat-removals" and ban.signal["removals"] == 5
        other = s.execute(select(Channel).where(Channel.external_id == "otherchan")).scalar_one()
        assert other.status == "active"
        assert s.execute(select(Action.kind).where(Action.target_id == chan.id)).scalar_one() == "ban_channel"


def test_shadow_rule_is_audited_not_enforced_and_negative_bank_vetoes(db: Database) -> None:
    rules = {"item_rules": [
        {"id": "new-scam-rule", "mode": "shadow", "when": {"bank_category": ["scam"]},
         "then": {"outcome": "remove", "ground": "incompatible_content"}},
        {"id": "media-rule", "when": {"signal_type": ["sha256"]}, "then": {"outcome": "remove"}}]}
    image = picture(5)
    import hashlib
    with db.session() as s:
        add_signal(s, bank="scam-words", signal_type="keyword", value="free money", category="scam", actor="t",
                   actor_role="admin")
        add_signal(s, bank="bad-files", signal_type="sha256", value=hashlib.sha256(image).hexdigest(),
                   category="other", actor="t", actor_role="admin")
    with db.session() as s:
        result = ingest_events(s, [post("e1", "p1", "free money!!")], pipeline(rules))
    assert result.items[0].decisions == []
    with db.read_session() as s:
        shadow = s.execute(select(AuditEntry).where(AuditEntry.action == "screening.shadow_verdict")).scalar_one()
        assert json.loads(shadow.details)["rule_id"] == "new-scam-rule"
    with db.session() as s:  # the file is known-good after all: a negative bank suppresses the match
        from poise.screening.banks import get_or_create_bank
        get_or_create_bank(s, "known-good", category="other", is_negative=True)
        add_signal(s, bank="known-good", signal_type="sha256", value=hashlib.sha256(image).hexdigest(),
                   category="other", actor="t", actor_role="admin")
    with db.session() as s:
        result = ingest_events(s, [post("e2", "p2", "holiday", image=image)], pipeline(rules))
    assert result.items[0].decisions == []


def test_classifier_escalates_to_human_review(db: Database) -> None:
    with db.session() as s:
        result = ingest_events(s, [post("e1", "p1", "selling mdma 10 pills, discreet shipping, dm me"),
                                   post("e2", "p2", "the book club meets on friday at 7 pm")], pipeline())
    assert len(result.items[0].decisions) == 1 and result.items[1].decisions == []
    decision = decisions_for(db, "p1")[0]
    assert decision.outcome == Outcome.ESCALATE.value and decision.source == "automated_classifier"
    assert decision.signal["classifier_scores"]["drug_sale"] >= 0.85
    with db.read_session() as s:
        case = s.execute(select(Case).where(Case.subject_id == decision.subject_id)).scalar_one()
        assert case.source == "screening" and case.category == "drugs" and case.status == "open"
        assert s.execute(select(func.count()).select_from(Action)).scalar_one() == 0  # nothing enforced


def test_bank_csv_round_trip_and_row_errors(db: Database) -> None:
    text = ("signal_type,signal_value,tags\n"
            "pdq," + "a" * 64 + ",csam verified\n"
            "video_md5," + "b" * 32 + ",\n"
            "pdq,xyz,\n"
            "teleport,abc,\n"
            "regex,(unclosed,\n")
    with db.session() as s:
        result = import_csv(s, bank="imported", category="terrorism", text=text, actor="t", actor_role="admin")
    assert result.added == 2 and [line for line, _ in result.rejected] == [4, 5, 6]
    with db.session() as s:
        again = import_csv(s, bank="imported", category="terrorism", text=text, actor="t", actor_role="admin")
    assert again.added == 0 and again.already_present == 2
    with db.read_session() as s:
        exported = export_csv(s, "imported")
    assert exported.splitlines() == ["signal_type,signal_value,tags", "pdq," + "a" * 64 + ",csam verified",
                                     "md5," + "b" * 32 + ","]


def test_rules_are_checked_before_they_go_live() -> None:
    with pytest.raises(Unprocessable) as err:
        parse_rules({"item_rules": [{"id": "x1", "when": {"bank": ["a"], "signal_type": ["pdq"]},
                                     "then": {"outcome": "remove"}}]})
    assert "exactly one key" in str(err.value.details)
    with pytest.raises(Unprocessable):
        parse_rules({"item_rules": [{"id": "x1", "when": {"bank_category": ["no-such"]},
                                     "then": {"outcome": "remove"}}]})
    with pytest.raises(Unprocessable):
        parse_rules({"item_rules": [{"id": "x1", "when": {"classifier": {"label": "nope", "min_score": 0.5}},
                                     "then": {"outcome": "remove"}}]}, known_labels=["scam"])
    with pytest.raises(Unprocessable):
        parse_rules({"channel_rules": [{"id": "c1", "min_removals": 3, "outcome": "demote"}]})


def test_restored_posts_no_longer_count_towards_a_channel_ban(any_db: Database) -> None:
    from datetime import timedelta

    from poise.actions.channel_removals import removals_since
    from poise.actions.service import DecisionInput, decide_many
    from poise.actions.vocabulary import DecisionSource
    from poise.core.clock import utcnow

    with any_db.session() as s:
        ingest_events(s, [post(f"e{i}", f"p{i}", "text", channel="chan") for i in range(3)])
    with any_db.session() as s:
        ids = {c.external_id: c.id for c in s.execute(select(ContentItem)).scalars()}
        channel_id = s.execute(select(Channel.id).where(Channel.external_id == "chan")).scalar_one()
        decide_many(s, [DecisionInput("content", ids[f"p{i}"], Outcome.REMOVE, DecisionSource.RULE, "t", "system",
                                      category="scam") for i in range(3)])
        decide_many(s, [DecisionInput("content", ids["p1"], Outcome.RESTORE, DecisionSource.APPEAL, "t", "system")])
    with any_db.read_session() as s:
        since = utcnow() - timedelta(hours=1)
        assert removals_since(s, [channel_id], since) == {channel_id: 2}
        assert removals_since(s, [channel_id], since, ["drugs"]) == {}
