"""The seed scenarios of the authority front door, end to end through the HTTP API, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from poise.audit.log import canonical_json, verify_chain
from poise.audit.models import AuditEntry
from poise.authority.models import Preservation
from poise.store.db import Database
from poise.store.models import Channel, ContentItem, Jurisdiction
from poise.transparency.daily import compute_daily_report
from tests.authority_support import World, ids_of, make_world


@pytest.fixture
def world(any_db: Database) -> World:
    return make_world(any_db)


def audit_details(world: World, action: str) -> list[dict[str, object]]:
    with world.db.read_session() as s:
        rows = s.execute(select(AuditEntry.details).where(AuditEntry.action == action)
                         .order_by(AuditEntry.seq)).scalars().all()
    return [json.loads(r) for r in rows]


def test_encryption_key_demand_is_refused_with_principle_and_counted(world: World) -> None:
    req = world.submit("RU", request_type="non_eu_legal_process", reference="RKN-2026-114",
                       data_categories=["encryption_keys"], issuer_type="regulator",
                       description="Provide the encryption keys of all chats for monitoring purposes.")
    assert req["status"] == "refused" and req["outcome"] == "refused"
    assert "P1-no-encryption-keys" in req["policy"]["principles"]
    assert any(r.startswith("P1-no-encryption-keys:") for r in req["policy"]["reasons"])
    assert req["actions"] == []
    closed = audit_details(world, "authority_request.closed")
    assert closed[-1]["outcome"] == "refused" and "P1-no-encryption-keys" in closed[-1]["principles"]
    assert set(closed[-1]) == {"request_id", "country", "request_type", "outcome", "principles", "handling_seconds"}
    with world.db.read_session() as s:
        report = compute_daily_report(s, datetime.now(UTC).date(), small_count_threshold=1)
    requests = report["authority_requests"]
    assert requests["totals"]["received"] == 1 and requests["totals"]["refused"] == 1
    assert requests["refusal_principles"]["P1-no-encryption-keys"] == 1
    row = requests["by_country_and_type"][0]
    assert (row["country"], row["request_type"], row["refused"]) == ("RU", "non_eu_legal_process", 1)


def test_protest_channel_block_is_refused_and_admin_can_withdraw(world: World) -> None:
    ids = ids_of(world, "chan-protest")
    req = world.submit("TR", request_type="non_eu_legal_process", instrument="TR-5651-8A", action="remove",
                       issuer_type="regulator", targets=[{"type": "channel", "external_id": "chan-protest"}],
                       description="Block this channel, which organises unauthorised gatherings.")
    assert req["status"] == "refused"
    assert req["policy"]["principles"] == ["P2-peaceful-protest"]
    assert req["actions"] == []
    with world.db.read_session() as s:
        assert s.get(Channel, ids["chan-protest"]).status == "active"
    # the platform may rather leave the country: an admin withdraws, the platform is told, it is recorded
    assert world.client.post("/api/v1/geo/withdrawals/TR", headers=world.h("legal-officer"),
                             json={"reason": "x"}).status_code == 403
    before = world.feed()
    r = world.client.post("/api/v1/geo/withdrawals/TR", headers=world.h("admin"),
                          json={"reason": "Repeated orders to silence peaceful protest (P2)."})
    assert r.status_code == 200, r.text
    assert r.json()["service_status"] == "withdrawn" and r.json()["actions"][0]["kind"] == "withdraw_country"
    new = world.feed(after=max([a["seq"] for a in before], default=0))
    assert [(a["kind"], a["target_id"]) for a in new] == [("withdraw_country", "TR")]
    assert world.client.get("/api/v1/jurisdictions/TR").json()["service_status"] == "withdrawn"
    # a withdrawn country's next request is refused under P8
    again = world.submit("TR", request_type="non_eu_legal_process", instrument="TR-5651-8A", action="remove",
                         issuer_type="regulator", targets=[{"type": "channel", "external_id": "chan-protest"}])
    assert again["status"] == "refused" and "P8-withdrawn-country" in again["policy"]["principles"]
    with world.db.read_session() as s:
        report = compute_daily_report(s, datetime.now(UTC).date(), small_count_threshold=1)
    assert report["authority_requests"]["refusal_principles"] == {"P2-peaceful-protest": 2,
                                                                  "P8-withdrawn-country": 1}


def test_french_tco_removal_order_is_executed_within_the_request(world: World) -> None:
    ids = ids_of(world, "chan-terror", "post-t1")
    start_seq = max([a["seq"] for a in world.feed()], default=0)
    t0 = time.perf_counter()
    r = world.client.post("/api/v1/authority/requests", headers=world.h("FR"), json={
        "request_type": "tco_removal_order", "reference": "OFAC-TCO-2026-0042", "instrument": "TCO-2021/784",
        "issuer_type": "police", "category": "terrorism",
        "legal_basis": "Regulation (EU) 2021/784, Art. 3: removal order",
        "targets": [{"type": "channel", "external_id": "chan-terror"}, {"type": "content", "external_id": "post-t1"}],
        "description": "Terrorist propaganda channel inciting attacks."})
    feed = world.feed(after=start_seq)
    elapsed = time.perf_counter() - t0
    assert r.status_code == 201, r.text
    req = r.json()
    assert req["status"] == "complied" and req["policy"]["outcome"] == "comply"
    assert elapsed < 1.0, f"TCO order to platform feed took {elapsed:.3f}s"
    kinds = sorted((a["kind"], a["target_external_id"]) for a in feed)
    assert kinds == [("ban_channel", "chan-terror"), ("preserve", "chan-terror"), ("preserve", "post-t1"),
                     ("remove_content", "post-t1")]
    assert {a["id"] for a in feed} == {a["id"] for a in req["actions"]}
    remove = next(a for a in feed if a["kind"] == "remove_content")
    assert remove["params"]["request_id"] == req["id"] and remove["params"]["notify_uploader"] is True
    with world.db.read_session() as s:
        assert s.get(Channel, ids["chan-terror"]).status == "banned"
        assert s.get(ContentItem, ids["post-t1"]).status == "removed"
        kept = s.execute(select(Preservation).where(Preservation.request_id == req["id"])).scalars().all()
        assert {p.subject_id for p in kept} == {ids["chan-terror"], ids["post-t1"]}
        for p in kept:
            assert timedelta(days=182) < p.expires_at - p.preserved_at < timedelta(days=184)
        chan = next(p for p in kept if p.subject_type == "channel")
        assert chan.snapshot["title"] == "Caliphate News FR" and len(chan.snapshot["posts"]) == 2
        assert chan.snapshot["status_before"] == "active"
    received = audit_details(world, "authority_request.received")[-1]
    assert received == {"request_id": req["id"], "country": "FR", "request_type": "tco_removal_order",
                        "authority_id": world.authority_ids["FR"], "category": "terrorism", "items": 2,
                        "acknowledged_seconds": 0.0}
    closed = audit_details(world, "authority_request.closed")[-1]
    assert closed["outcome"] == "complied" and float(closed["handling_seconds"]) < 1.0  # type: ignore[arg-type]
    decisions = audit_details(world, "decision.recorded")
    assert {d["source"] for d in decisions[-4:]} == {"authority_order"}


def test_eu_information_order_four_eyes_minimal_data(world: World) -> None:
    req = world.submit("DE", request_type="dsa_art10_order", reference="BKA-2026-7781", instrument="DSA-ART10",
                       issuer_type="prosecutor", data_categories=["subscriber"],
                       targets=[{"type": "account", "handle": "suspect_de"}],
                       description="Suspected fraud; identify the account holder.")
    assert req["request_type"] == "dsa_order_to_provide_information"  # the alias is normalised
    assert req["status"] == "awaiting_disclosure" and req["policy"]["outcome"] == "comply"
    assert "End-to-end-encrypted chats are out of reach" in req["end_to_end_encrypted_chats"]
    rid = req["id"]
    # the authority sees nothing before approval
    assert world.client.get(f"/api/v1/authority/requests/{rid}/disclosure", headers=world.h("DE")).status_code == 404
    prepared = world.client.post(f"/api/v1/authority/requests/{rid}/disclosures", headers=world.h("legal-officer"))
    assert prepared.status_code == 201, prepared.text
    disclosure = prepared.json()
    assert disclosure["categories"] == ["subscriber"] and disclosure["status"] == "prepared"
    same = world.client.post(f"/api/v1/authority/disclosures/{disclosure['id']}/approve",
                             headers=world.h("legal-officer"))
    assert same.status_code == 403 and same.json()["error"]["code"] == "four_eyes_required"
    assert world.client.get(f"/api/v1/authority/requests/{rid}/disclosure", headers=world.h("DE")).status_code == 404
    approved = world.client.post(f"/api/v1/authority/disclosures/{disclosure['id']}/approve",
                                 headers=world.h("legal-officer-2"))
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "complied"
    got = world.client.get(f"/api/v1/authority/requests/{rid}/disclosure", headers=world.h("DE"))
    assert got.status_code == 200
    body = got.json()
    package = body["package"]
    assert hashlib.sha256(canonical_json(package).encode()).hexdigest() == body["sha256"] == disclosure["sha256"]
    assert package["categories"] == ["subscriber"]
    subject = package["subjects"][0]
    assert subject["subscriber"] == {"handle": "suspect_de", "display_name": "Max Muster",
                                     "registration_date": "2024-03-01", "country": "DE"}
    assert set(subject) == {"target", "found", "subscriber"}
    text = json.dumps(package)
    assert "203.0.113.7" not in text and "f" * 64 not in text and "Selling a used bike" not in text
    assert package["end_to_end_encrypted_chats"]["available"] is False
    assert "out of reach" in body["end_to_end_encrypted_chats"]
    world.client.get(f"/api/v1/authority/requests/{rid}/disclosure", headers=world.h("DE"))
    actions = [e["action"] for e in world.client.get("/api/v1/audit", params={"limit": 500},
                                                     headers=world.h("admin")).json()["items"]]
    assert actions.count("disclosure.read") == 2
    assert {"disclosure.prepared", "disclosure.approved", "read.platform_accounts",
            "authority_request.evaluated"} <= set(actions)
    # the second officer cannot approve twice, and the chain is intact
    assert world.client.post(f"/api/v1/authority/disclosures/{disclosure['id']}/approve",
                             headers=world.h("admin")).status_code == 409
    with world.db.read_session() as s:
        assert verify_chain(s).ok


def test_information_order_beyond_its_legal_basis_is_partly_complied(world: World) -> None:
    req = world.submit("DE", request_type="dsa_order_to_provide_information", instrument="DSA-ART10",
                       issuer_type="prosecutor", data_categories=["subscriber", "content"],
                       targets=[{"type": "account", "external_id": "acct-3001"}])
    assert req["status"] == "needs_review" and req["allowed_categories"] == ["subscriber"]
    assert req["policy"]["principles"] == ["P10-minimal-data"]
    rid = req["id"]
    reviewed = world.client.post(f"/api/v1/authority/requests/{rid}/review", headers=world.h("legal-officer"),
                                 json={"decision": "comply", "note": "subscriber data only"})
    assert reviewed.status_code == 200 and reviewed.json()["status"] == "awaiting_disclosure"
    d = world.client.post(f"/api/v1/authority/requests/{rid}/disclosures", headers=world.h("legal-officer")).json()
    done = world.client.post(f"/api/v1/authority/disclosures/{d['id']}/approve", headers=world.h("admin")).json()
    assert done["status"] == "partly_complied"
    package = world.client.get(f"/api/v1/authority/requests/{rid}/disclosure", headers=world.h("DE")).json()
    assert package["package"]["withheld_categories"] == ["content"]
    assert "content" not in package["package"]["subjects"][0]


def test_eevidence_traffic_data_needs_a_judge_and_content_is_public_posts_only(world: World) -> None:
    base = dict(request_type="eevidence_production_order", instrument="EEVIDENCE-EPOC",
                data_categories=["traffic", "content"], targets=[{"type": "account", "handle": "suspect_de"}])
    refused = world.submit("DE", issuer_type="prosecutor", **base)
    assert refused["status"] == "refused" and refused["policy"]["principles"] == ["P5-judicial-authorisation"]
    ok = world.submit("DE", issuer_type="prosecutor",
                      judicial_authorisation={"authorised_by": "Amtsgericht Berlin-Tiergarten", "reference": "AZ 1"},
                      **base)
    assert ok["status"] == "awaiting_disclosure"
    due = datetime.fromisoformat(ok["due_at"]) - datetime.fromisoformat(ok["received_at"])
    assert due == timedelta(days=10)
    d = world.client.post(f"/api/v1/authority/requests/{ok['id']}/disclosures", headers=world.h("legal-officer"))
    world.client.post(f"/api/v1/authority/disclosures/{d.json()['id']}/approve", headers=world.h("legal-officer-2"))
    package = world.client.get(f"/api/v1/authority/requests/{ok['id']}/disclosure",
                               headers=world.h("DE")).json()["package"]
    subject = package["subjects"][0]
    assert subject["traffic"]["last_ip"] == "203.0.113.7"
    assert [p["external_id"] for p in subject["content"]["public_posts"]] == ["post-d1"]  # never the private one
    assert "subscriber" not in subject


def test_country_withdrawal_and_geo_restriction_take_effect(world: World) -> None:
    ids = ids_of(world, "post-2", "chan-market")
    start = max([a["seq"] for a in world.feed()], default=0)
    r = world.client.post("/api/v1/geo/restrictions", headers=world.h("legal-officer"), json={
        "subject_type": "channel", "subject_id": ids["chan-market"], "countries": ["DE", "FR"],
        "reason": "Sale of narcotics, illegal in DE and FR", "legal_reference": "BtMG s. 29", "category": "drugs"})
    assert r.status_code == 201, r.text
    assert r.json()["actions"][0]["params"]["countries"] == ["DE", "FR"]
    assert world.client.post("/api/v1/geo/restrictions", headers=world.h("legal-officer"), json={
        "subject_type": "content", "subject_id": ids["post-2"], "countries": ["XX"],
        "reason": "x"}).status_code == 422
    assert world.client.post("/api/v1/geo/restrictions", headers=world.h("moderator"), json={
        "subject_type": "content", "subject_id": ids["post-2"], "countries": ["DE"],
        "reason": "x"}).status_code == 403
    w = world.client.post("/api/v1/geo/withdrawals/NL", headers=world.h("admin"), json={"reason": "test"})
    assert w.status_code == 200 and w.json()["service_status"] == "withdrawn"
    assert world.client.post("/api/v1/geo/withdrawals/NL", headers=world.h("admin"),
                             json={"reason": "again"}).status_code == 409
    feed = world.feed(after=start)
    assert [(a["kind"], a["target_type"], a["params"].get("countries")) for a in feed] == [
        ("geo_restrict", "channel", ["DE", "FR"]), ("withdraw_country", "country", ["NL"])]
    with world.db.read_session() as s:
        assert s.get(Channel, ids["chan-market"]).status == "geo_restricted"
        nl = s.get(Jurisdiction, "NL")
        assert nl.service_status == "withdrawn" and nl.withdrawn_at is not None
    status = world.client.get("/api/v1/geo", headers=world.h("moderator")).json()
    assert [c["code"] for c in status["withdrawn_countries"]] == ["NL"]
    assert status["geo_restrictions"][0]["countries"] == ["DE", "FR"]
    directory = world.client.get("/api/v1/directory").json()
    nl_entry = next(c for c in directory["countries"] if c["code"] == "NL")
    assert nl_entry["service_status"] == "withdrawn" and nl_entry["accepted_request_types"] == []
    back = world.client.post("/api/v1/geo/withdrawals/NL/return", headers=world.h("admin"), json={"reason": "ok"})
    assert back.status_code == 200 and back.json()["service_status"] == "active"
    assert world.feed(after=start)[-1]["kind"] == "return_country"
