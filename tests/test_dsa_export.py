"""DSA statements of reasons: built from decisions, valid against the official enumerations, batched."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from poise.actions.service import DecisionInput, decide_many
from poise.actions.vocabulary import AutomatedDecision, DecisionSource, Outcome
from poise.platform.service import upsert_account, upsert_channel, upsert_content
from poise.store.db import Database
from poise.transparency.dsa import ENUMERATIONS_FILE, batches, statements_between, validate_statement
from tests.test_taxonomy import REFERENCE


def test_shipped_enumerations_equal_the_official_reference() -> None:
    assert json.loads(ENUMERATIONS_FILE.read_text("utf-8")) == json.loads(REFERENCE.read_text("utf-8"))


def _decisions(db: Database, n_posts: int = 150) -> None:
    with db.session() as s:
        upsert_account(s, "u1")
        upsert_channel(s, "c1", owner_external_id="u1")
        posts = [upsert_content(s, f"p{i}", channel_external_id="c1", text="x").id for i in range(n_posts)]
        account = upsert_account(s, "u1").id
        channel = upsert_channel(s, "c1").id
        inputs = [DecisionInput(subject_type="content", subject_id=p, outcome=Outcome.REMOVE,
                                source=DecisionSource.HASH_MATCH, actor="rule", actor_role="platform",
                                ground="illegal_content", category="csam", automated_detection=True,
                                automated_decision=AutomatedDecision.FULLY, legal_reference="Directive 2011/93/EU")
                  for p in posts]
        inputs += [
            DecisionInput(subject_type="account", subject_id=account, outcome=Outcome.SUSPEND_ACCOUNT,
                          source=DecisionSource.USER_NOTICE, actor="m", actor_role="moderator",
                          ground="incompatible_content", category="spam", policy="ToS 4.2",
                          explanation="Repeated spam"),
            DecisionInput(subject_type="channel", subject_id=channel, outcome=Outcome.BAN_CHANNEL,
                          source=DecisionSource.AUTHORITY_ORDER, actor="a", actor_role="legal-officer",
                          ground="illegal_content", category="terrorism", territorial_scope=["FR", "DE"]),
            DecisionInput(subject_type="content", subject_id=posts[0], outcome=Outcome.NO_ACTION,
                          source=DecisionSource.USER_NOTICE, actor="m", actor_role="moderator"),
        ]
        decide_many(s, inputs)


def test_statements_validate_and_batch(any_db: Database) -> None:
    _decisions(any_db)
    now = datetime.now(UTC)
    with any_db.read_session() as s:
        statements = list(statements_between(s, now - timedelta(days=1), now + timedelta(days=1)))
        bodies = list(batches(iter(statements)))
    assert len(statements) == 152  # the no-action decision is not a restriction
    assert [len(b["statements"]) for b in bodies] == [100, 52]
    assert all(validate_statement(st) == [] for st in statements)
    channel = next(st for st in statements if st.get("decision_provision"))
    assert channel["source_type"] == "SOURCE_TYPE_OTHER_NOTIFICATION" and channel["territorial_scope"] == ["FR", "DE"]
    assert channel["category"] == "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY"
    account = next(st for st in statements if st.get("decision_account"))
    assert account["decision_ground"] == "DECISION_GROUND_INCOMPATIBLE_CONTENT"
    assert account["incompatible_content_ground"] == "ToS 4.2" and account["source_type"] == "SOURCE_ARTICLE_16"
    post = statements[0]
    assert post["automated_detection"] == "Yes" and post["automated_decision"] == "AUTOMATED_DECISION_FULLY"
    assert post["category_specification"] == ["KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL"]


def test_invalid_statements_are_named_and_reject_the_batch(db: Database) -> None:
    _decisions(db, 2)
    now = datetime.now(UTC)
    with db.read_session() as s:
        good = next(statements_between(s, now - timedelta(days=1), now + timedelta(days=1)))
    bad = {**good, "category": "STATEMENT_CATEGORY_MADE_UP", "application_date": "25/11/2026", "puid": "a b"}
    del bad["illegal_content_explanation"]
    problems = validate_statement(bad)
    assert any(p.startswith("category:") for p in problems)
    assert any(p.startswith("application_date:") for p in problems)
    assert any(p.startswith("puid:") for p in problems)
    assert any(p.startswith("illegal_content_explanation:") for p in problems)
    with pytest.raises(ValueError, match="category"):
        list(batches(iter([good, bad])))


def test_cli_exports_batches(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from poise.cli import main
    from poise.settings import get_settings

    _decisions(db, 120)
    monkeypatch.setenv("POISE_DATABASE_URL", db.url)
    get_settings.cache_clear()
    today = datetime.now(UTC).date().isoformat()
    result = CliRunner().invoke(main, ["report", "dsa-sor", "--from", today, "--to", today, "--out",
                                       str(tmp_path / "out")])
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    files = sorted((tmp_path / "out").glob("*.json"))
    assert [len(json.loads(f.read_text())["statements"]) for f in files] == [100, 22]


def test_own_initiative_tables_fill_the_official_templates(any_db: Database) -> None:
    import csv
    import io

    from poise.transparency.dsa_tables import PART_5, PART_6, TEMPLATES_DIR, own_initiative_tables

    for name in (PART_5, PART_6):
        assert (TEMPLATES_DIR / name).read_bytes() == (REFERENCE.parent / "dsa-transparency-report-templates"
                                                        / name).read_bytes()
    _decisions(any_db, 30)  # 30 automated csam removals (illegal), 1 notice-based suspension, 1 order-based ban
    today = datetime.now(UTC).date()
    with any_db.read_session() as s:
        tables = own_initiative_tables(s, today, today, "Example")
    part5 = list(csv.reader(io.StringIO(tables[PART_5])))
    template = list(csv.reader(io.StringIO((TEMPLATES_DIR / PART_5).read_text("utf-8-sig"))))
    assert part5[0] == template[0] and [r[3] for r in part5] == [r[3] for r in template]
    head = [h.strip() for h in part5[0]]
    total = part5[1]
    assert total[1] == "Example" and total[2] == f"{today}/{today}"
    assert total[head.index("Number of measures taken at the provider's own initiative")] == "30"
    assert total[head.index("Number of measures taken after detection with solely automated means")] == "30"
    assert total[head.index("Visibility restriction Removal")] == "30"
    minors = next(r for r in part5 if r[3] == "STATEMENT_CATEGORY_PROTECTION_OF_MINORS")
    assert minors[head.index("Visibility restriction Removal")] == "30"
    csam_kw = next(r for r in part5 if r[3] == "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL")
    assert csam_kw[head.index("Visibility restriction Removal")] == "30"
    part6 = list(csv.reader(io.StringIO(tables[PART_6])))
    head6 = [h.strip() for h in part6[0]]
    # the notice-based spam suspension is not own-initiative, so Part 6 stays at zero
    assert part6[1][head6.index("Account restriction Suspension")] == "0"


def test_notice_table_counts_notices_times_and_grounds(any_db: Database) -> None:
    import csv
    import io

    from poise.audit import record
    from poise.transparency.dsa_tables import PART_4, TEMPLATES_DIR, notice_table

    assert (TEMPLATES_DIR / PART_4).read_bytes() == (REFERENCE.parent / "dsa-transparency-report-templates"
                                                      / PART_4).read_bytes()
    _decisions(any_db, 1)  # includes one notice-based suspension on the terms (spam)
    with any_db.session() as s:
        for i, (category, who) in enumerate([("drugs", "user"), ("drugs", "user"), ("csam", "trusted_flagger")]):
            record(s, "anonymous", "public", "notice.received", "case", f"c{i}", case_id=f"c{i}", category=category,
                   notifier_type=who, notice_id=f"n{i}")
        record(s, "key:m", "moderator", "case.decided", "case", "c0", case_id="c0", category="drugs",
               outcome="remove", source="user_notice", handling_seconds=7200)
        record(s, "key:m", "moderator", "case.decided", "case", "c2", case_id="c2", category="csam",
               outcome="remove", source="trusted_flagger", handling_seconds=600)
    today = datetime.now(UTC).date()
    with any_db.read_session() as s:
        rows = list(csv.reader(io.StringIO(notice_table(s, today, today, "Example")[PART_4])))
    head = [h.strip() for h in rows[0]]
    total = rows[1]
    assert total[head.index("Number of notices received")] == "3"
    assert total[head.index("Number of notices received from Trusted flaggers")] == "1"
    assert total[head.index("Median time to take action (Trusted Flagger notices)")] == "0.17"
    assert total[head.index("Median time to take action")] == "1.08"
    terms = "Number of actions taken on the basis of the terms and conditions of the service"
    assert total[head.index(terms)] == "1"
    drugs = next(r for r in rows if r[3] == "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS")
    assert drugs[head.index("Number of notices received")] == "2"


def test_appeals_table_counts_complaints_by_decision_type(any_db: Database) -> None:
    import csv
    import io

    from sqlalchemy import select

    from poise.audit import record
    from poise.store.models import Decision
    from poise.transparency.dsa_tables import PART_7, appeals_table

    _decisions(any_db, 2)
    with any_db.read_session() as s:
        by_outcome = {d.outcome: d.id for d in s.execute(select(Decision)).scalars()}
    with any_db.session() as s:
        for i, (outcome, result, secs) in enumerate([("remove", "upheld", 3600), ("remove", "reversed", 7200),
                                                      ("suspend_account", "upheld", 1800)]):
            record(s, "anonymous", "public", "appeal.received", "appeal", f"a{i}", appeal_id=f"a{i}",
                   decision_id=by_outcome[outcome], category="csam")
            record(s, "key:m2", "senior-moderator", "appeal.decided", "appeal", f"a{i}", appeal_id=f"a{i}",
                   decision_id=by_outcome[outcome], category="csam", result=result, handling_seconds=secs)
        record(s, "system", "admin", "misuse.account_suspended", "account", "u1", account_id="u1")
    today = datetime.now(UTC).date()
    with any_db.read_session() as s:
        rows = list(csv.reader(io.StringIO(appeals_table(s, today, today, "Example")[PART_7])))

    def value(indicator: str, scope: str) -> str:
        return next(r[6] for r in rows[1:] if r[4].strip().startswith(indicator) and r[5].strip() == scope)

    assert value("Number of complaints submitted to the internal-complaints", "Total number") == "3"
    assert value("Number of complaints submitted to the internal-complaints", "Decisions reversed") == "1"
    assert value("Number of complaints submitted to the internal-complaints", "Median time") == "1.0"
    assert value("Complaint regarding a decision to remove or disable", "Decisions upheld") == "1"
    assert value("Complaint regarding a decision to suspend or terminate an account", "Total number") == "1"
    assert value("Number of suspensions enacted for the provision of manifestly illegal", "Total number") == "1"
    assert len(rows) == 48 and rows[0][6] == "Value"


def test_automated_means_table_and_cli_write_every_filled_part(db: Database, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import csv
    import io

    from poise.cli import main
    from poise.settings import get_settings
    from poise.transparency.dsa_tables import PART_8, automated_means_table

    _decisions(db, 5)  # 5 automated removals, 1 notice-based suspension, 1 order-based channel ban
    today = datetime.now(UTC).date()
    with db.read_session() as s:
        rows = list(csv.reader(io.StringIO(automated_means_table(s, today, today, "Example")[PART_8])))
    values = {(r[4].strip(), r[5].strip()): r[6] for r in rows[1:]}
    assert values[("Number of measures solely taken by automated means", "Total number")] == "5"
    assert values[("Number of measures not taken by automated means", "Total number")] == "2"
    assert values[("Accuracy of the automated means - Precision", "Total number")] == ""
    monkeypatch.setenv("POISE_DATABASE_URL", db.url)
    get_settings.cache_clear()
    result = CliRunner().invoke(main, ["report", "dsa-tables", "--from", str(today), "--to", str(today),
                                       "--out", str(tmp_path / "tables")])
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "tables").glob("*.csv"))) == 6


def test_member_state_orders_table(any_db: Database) -> None:
    import csv
    import io

    from poise.audit import record
    from poise.transparency.dsa_tables import PART_3, member_state_orders_table

    with any_db.session() as s:
        orders = [("r1", "FR", "tco_removal_order", "terrorism", 2, 1800), ("r2", "FR", "tco_removal_order",
                  "terrorism", 1, 3600), ("r3", "DE", "dsa_order_to_provide_information", None, 1, 86400),
                  ("r4", "RU", "dsa_order_to_act", None, 1, 60)]  # not a Member State: excluded
        for rid, country, rtype, category, items, secs in orders:
            record(s, "key:a", "authority", "authority_request.received", "authority_request", rid, request_id=rid,
                   country=country, request_type=rtype, authority_id="a", category=category, items=items)
            record(s, "key:l", "legal-officer", "authority_request.closed", "authority_request", rid,
                   request_id=rid, country=country, request_type=rtype, outcome="complied", principles=[],
                   handling_seconds=secs)
    today = datetime.now(UTC).date()
    with any_db.read_session() as s:
        rows = list(csv.reader(io.StringIO(member_state_orders_table(s, today, today, "Example")[PART_3])))
    head = [h.strip() for h in rows[0]]

    def cell(category: str, scope: str, column: str) -> str:
        return next(r[head.index(column)] for r in rows[1:] if r[3] == category and r[5] == scope)

    acts = "Number of orders to act against illegal content received"
    assert cell("TOTAL", "TOTAL", acts) == "2"
    assert cell("TOTAL", "FR", acts) == "2" and cell("TOTAL", "DE", acts) == "0"
    assert cell("TOTAL", "TOTAL", "Number of orders to provide information") == "1"
    assert cell("KEYWORD_TERRORIST_CONTENT", "FR", "Number of specific items of information included in the "
                "total number of orders to act against illegal content") == "3"
    assert cell("TOTAL", "FR", "Median time to give effect to the order to act against illegal content") == "0.75"
    assert not any(r[5] in ("RU", "AT, […], SE") for r in rows[1:])
