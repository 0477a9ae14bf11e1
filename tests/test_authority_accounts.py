"""Authority accounts (registration, verification, key), isolation between authorities, roles, reviews,
preservation orders and input validation."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from poise.authority.models import Preservation
from poise.store.db import Database
from tests.authority_support import World, make_world
from tests.conftest import auth


@pytest.fixture
def world(any_db: Database) -> World:
    return make_world(any_db)


REGISTRATION = {"jurisdiction_code": "NL", "name": "Politie - Team High Tech Crime", "agency": "Nationale Politie",
                "kind": "law_enforcement", "contact_name": "J. de Vries", "contact_email": "thtc@politie.example",
                "justification": "Call the switchboard and ask for THTC duty officer"}


def test_registration_verification_and_key(world: World) -> None:
    c = world.client
    r = c.post("/api/v1/authority/registrations", json=REGISTRATION)
    assert r.status_code == 201 and r.json()["status"] == "pending"
    reg_id = r.json()["id"]
    assert c.post("/api/v1/authority/registrations", json={**REGISTRATION, "contact_email": "nope"}).status_code == 422
    pending = c.get("/api/v1/authority/registrations", params={"status": "pending"}, headers=world.h("admin")).json()
    assert [p["id"] for p in pending["items"]] == [reg_id]
    assert c.get("/api/v1/authority/registrations", headers=world.h("moderator")).status_code == 403
    assert c.post(f"/api/v1/authority/registrations/{reg_id}/verify", headers=world.h("legal-officer"),
                  json={}).status_code == 403
    v = c.post(f"/api/v1/authority/registrations/{reg_id}/verify", headers=world.h("admin"),
               json={"agency": "Nationale Politie - Landelijke Eenheid"})
    assert v.status_code == 200, v.text
    body = v.json()
    assert body["authority"]["verified"] is True and body["authority"]["jurisdiction_code"] == "NL"
    assert body["authority"]["agency"] == "Nationale Politie - Landelijke Eenheid"
    me = c.get("/api/v1/me", headers=auth(body["api_key"])).json()
    assert me["role"] == "authority"
    assert c.post(f"/api/v1/authority/registrations/{reg_id}/verify", headers=world.h("admin"),
                  json={}).status_code == 409
    req = c.post("/api/v1/authority/requests", headers=auth(body["api_key"]), json={
        "request_type": "eevidence_preservation_order", "issuer_type": "prosecutor",
        "targets": [{"type": "content", "external_id": "post-2"}]})
    assert req.status_code == 201, req.text
    assert req.json()["country"] == "NL" and req.json()["status"] == "complied"
    assert [a["kind"] for a in req.json()["actions"]] == ["preserve"]
    with world.db.read_session() as s:
        kept = s.execute(select(Preservation).where(Preservation.request_id == req.json()["id"])).scalar_one()
        assert (kept.expires_at - kept.preserved_at).days == 60
    # the directory lists the newly verified authority
    nl = next(x for x in c.get("/api/v1/directory").json()["countries"] if x["code"] == "NL")
    assert nl["verified_authorities"][0]["name"] == REGISTRATION["name"]


def test_rejected_or_unverified_authorities_get_nothing(world: World) -> None:
    c = world.client
    reg = c.post("/api/v1/authority/registrations", json=REGISTRATION).json()
    r = c.post(f"/api/v1/authority/registrations/{reg['id']}/reject", headers=world.h("admin"),
               json={"note": "could not confirm through the official switchboard"})
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    created = c.post("/api/v1/admin/keys", headers=world.h("admin"),
                     json={"name": "stray", "role": "authority", "subject_id": reg["authority_id"]}).json()
    r = c.post("/api/v1/authority/requests", headers=auth(created["secret"]), json={
        "request_type": "dsa_order_to_act", "targets": [{"type": "content", "external_id": "post-2"}]})
    assert r.status_code == 403 and r.json()["error"]["code"] == "authority_not_verified"
    r = c.get("/api/v1/authority/requests", headers=world.h("authority"))  # a key tied to no authority
    assert r.status_code == 403 and r.json()["error"]["code"] == "authority_not_linked"
    assert c.post("/api/v1/authority/registrations", json={**REGISTRATION, "jurisdiction_code": "ZZ"}
                  ).status_code == 422


def test_an_authority_sees_only_its_own_requests(world: World) -> None:
    c = world.client
    fr = world.submit("FR", request_type="dsa_order_to_act", targets=[{"type": "content", "external_id": "post-1"}])
    de = world.submit("DE", request_type="dsa_order_to_provide_information", data_categories=["subscriber"],
                      targets=[{"type": "account", "handle": "suspect_de"}])
    own = c.get("/api/v1/authority/requests", headers=world.h("FR")).json()["items"]
    assert [r["id"] for r in own] == [fr["id"]]
    assert c.get(f"/api/v1/authority/requests/{de['id']}", headers=world.h("FR")).status_code == 404
    assert c.get(f"/api/v1/authority/requests/{de['id']}/disclosure", headers=world.h("FR")).status_code == 404
    assert c.get(f"/api/v1/authority/requests/{fr['id']}", headers=world.h("FR")).json()["id"] == fr["id"]
    everything = c.get("/api/v1/authority/requests", headers=world.h("legal-officer")).json()["items"]
    assert {r["id"] for r in everything} == {fr["id"], de["id"]}
    for role in ("moderator", "platform", "trusted-flagger"):
        assert c.get("/api/v1/authority/requests", headers=world.h(role)).status_code == 403
    assert c.post("/api/v1/authority/requests", headers=world.h("legal-officer"),
                  json={"request_type": "dsa_order_to_act"}).status_code == 403
    assert c.post(f"/api/v1/authority/requests/{fr['id']}/review", headers=world.h("FR"),
                  json={"decision": "comply"}).status_code == 403


def test_review_of_held_back_requests(world: World) -> None:
    c = world.client
    # a tier-3 country reaching for a French user is refused outright (jurisdiction), not escalated
    ru = world.submit("RU", request_type="non_eu_legal_process", instrument="RU-149-FZ-10.1", issuer_type="regulator",
                      data_categories=["subscriber"], targets=[{"type": "account", "external_id": "acct-1001"}])
    assert ru["status"] == "refused" and ru["policy"]["principles"] == ["P7-jurisdiction"]  # a French user
    # an Art. 9 order that passes the policy is carried out once a legal officer confirms it
    art9 = world.submit("FR", request_type="dsa_art9_order", category="drugs",
                        targets=[{"type": "content", "external_id": "post-2"}], reference="PAR-2026-1")
    assert art9["status"] == "needs_review" and art9["policy"]["outcome"] == "comply"
    done = c.post(f"/api/v1/authority/requests/{art9['id']}/review", headers=world.h("legal-officer"),
                  json={"decision": "comply", "note": "valid order"}).json()
    assert done["status"] == "complied" and [a["kind"] for a in done["actions"]] == ["remove_content"]
    assert c.post(f"/api/v1/authority/requests/{art9['id']}/review", headers=world.h("legal-officer"),
                  json={"decision": "comply"}).json()["error"]["code"] == "request_closed"


def test_tier_three_orders_escalate_to_a_senior_review(world: World) -> None:
    c = world.client
    r = c.put("/api/v1/jurisdictions/TR/instruments", headers=world.h("admin"), json={
        "code": "TR-5651-8A", "title": "Law No. 5651 Art. 8/A", "request_types": ["non_eu_legal_process"],
        "data_categories": [], "deadline_hours": 4})
    assert r.status_code == 200
    tr = world.submit("TR", request_type="non_eu_legal_process", action="geo_restrict", category="scam",
                      issuer_type="regulator", targets=[{"type": "account", "external_id": "acct-1004"}],
                      description="Phishing account defrauding citizens")
    assert tr["status"] == "escalated" and tr["policy"]["principles"] == ["P6-rule-of-law"]
    officer = c.post(f"/api/v1/authority/requests/{tr['id']}/review", headers=world.h("legal-officer"),
                     json={"decision": "comply"})
    assert officer.status_code == 403 and officer.json()["error"]["code"] == "senior_review_required"
    senior = c.post(f"/api/v1/authority/requests/{tr['id']}/review", headers=world.h("admin"),
                    json={"decision": "comply", "note": "verified phishing"}).json()
    assert senior["status"] == "complied"
    assert [(a["kind"], a["params"]["countries"]) for a in senior["actions"]] == [("geo_restrict", ["TR"])]
    other = world.submit("TR", request_type="non_eu_legal_process", action="remove", issuer_type="regulator",
                         targets=[{"type": "account", "external_id": "acct-1004"}])
    bad = c.post(f"/api/v1/authority/requests/{other['id']}/review", headers=world.h("admin"),
                 json={"decision": "refuse", "principles": ["P99"]})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "unknown_principle"
    refused = c.post(f"/api/v1/authority/requests/{other['id']}/review", headers=world.h("legal-officer"),
                     json={"decision": "refuse", "principles": ["P6-rule-of-law"], "note": "no evidence"}).json()
    assert refused["status"] == "refused" and "P6-rule-of-law" in refused["policy"]["principles"]
    again = c.post(f"/api/v1/authority/requests/{other['id']}/review", headers=world.h("admin"),
                   json={"decision": "refuse"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "request_closed"


def test_invalid_requests_are_rejected_with_a_reason(world: World) -> None:
    c = world.client
    cases = [
        ({"request_type": "fax_order", "targets": [{"type": "content", "external_id": "post-1"}]},
         "unknown_request_type"),
        ({"request_type": "dsa_order_to_act"}, "missing_targets"),
        ({"request_type": "dsa_order_to_provide_information",
          "targets": [{"type": "account", "handle": "alice"}]}, "missing_data_categories"),
        ({"request_type": "dsa_order_to_act", "targets": [{"type": "content", "external_id": "nope"}]},
         "unknown_target"),
        ({"request_type": "dsa_order_to_provide_information", "data_categories": ["dna"],
          "targets": [{"type": "account", "handle": "alice"}]}, "invalid_data_category"),
        ({"request_type": "tco_removal_order", "notify_delay_weeks": 12, "issuer_type": "wizard",
          "targets": [{"type": "content", "external_id": "post-1"}]}, "invalid_issuer_type"),
        ({"request_type": "dsa_order_to_act", "notify_delay_weeks": 12,
          "targets": [{"type": "content", "external_id": "post-1"}]}, "notify_delay_too_long"),
    ]
    for body, code in cases:
        r = c.post("/api/v1/authority/requests", headers=world.h("FR"), json=body)
        assert r.status_code == 422 and r.json()["error"]["code"] == code, (body, r.text)
    us = c.post("/api/v1/authority/requests", headers=world.h("US"), json={
        "request_type": "non_eu_legal_process", "data_categories": ["subscriber"],
        "targets": [{"type": "account", "handle": "alice"}]})
    assert us.status_code == 422 and us.json()["error"]["code"] == "instrument_ambiguous"
    delayed = world.submit("FR", request_type="tco_removal_order", notify_delay_weeks=6,
                           targets=[{"type": "content", "external_id": "post-t2"}])
    assert delayed["status"] == "complied"
    remove = next(a for a in delayed["actions"] if a["kind"] == "remove_content")
    assert remove["params"]["notify_uploader_not_before"] is not None


def test_demo_authority_key_acts_for_ofac(db: Database) -> None:
    from poise.auth.keys import authenticate
    from poise.demo import DEMO_KEYS, load_demo
    from poise.store.models import Authority

    with db.session() as s:
        load_demo(s)
        load_demo(s)  # idempotent
    with db.read_session() as s:
        principal = authenticate(s, DEMO_KEYS["authority"])
        assert principal is not None and principal.subject_id is not None
        authority = s.get(Authority, principal.subject_id)
        assert authority is not None and authority.jurisdiction_code == "FR" and authority.verified


def test_emergency_disclosure_needs_a_person_then_four_eyes(world: World) -> None:
    c = world.client
    req = world.submit("FR", request_type="emergency_disclosure", emergency=True,
                       data_categories=["subscriber", "identification", "content"],
                       targets=[{"type": "account", "handle": "alice"}],
                       description="Imminent threat to life: user announced self-harm tonight.")
    assert req["status"] == "needs_review"
    assert set(req["policy"]["principles"]) == {"P12-emergency", "P10-minimal-data"}
    assert req["allowed_categories"] == ["subscriber", "identification"]  # never content in an emergency
    due = c.get(f"/api/v1/authority/requests/{req['id']}", headers=world.h("FR")).json()
    assert due["due_at"] is not None
    # nothing can be prepared before a person confirms the threat
    early = c.post(f"/api/v1/authority/requests/{req['id']}/disclosures", headers=world.h("legal-officer"))
    assert early.status_code == 409 and early.json()["error"]["code"] == "not_awaiting_disclosure"
    ok = c.post(f"/api/v1/authority/requests/{req['id']}/review", headers=world.h("legal-officer"),
                json={"decision": "comply", "note": "threat confirmed by phone with the duty officer"}).json()
    assert ok["status"] == "awaiting_disclosure"
    d = c.post(f"/api/v1/authority/requests/{req['id']}/disclosures", headers=world.h("legal-officer-2")).json()
    rejected = c.post(f"/api/v1/authority/disclosures/{d['id']}/reject", headers=world.h("legal-officer"),
                      json={"note": "wrong account?"})
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    d = c.post(f"/api/v1/authority/requests/{req['id']}/disclosures", headers=world.h("legal-officer-2")).json()
    done = c.post(f"/api/v1/authority/disclosures/{d['id']}/approve", headers=world.h("legal-officer")).json()
    assert done["status"] == "partly_complied"
    package = c.get(f"/api/v1/authority/requests/{req['id']}/disclosure", headers=world.h("FR")).json()["package"]
    assert set(package["subjects"][0]) == {"target", "found", "subscriber", "identification"}
    assert package["withheld_categories"] == ["content"]
