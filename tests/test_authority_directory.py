"""The public directory (JSON, well-known address and HTML page), request types and principles."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from poise.store.db import Database
from tests.authority_support import seed_platform
from tests.conftest import make_client


@pytest.fixture
def client(db: Database) -> TestClient:
    seed_platform(db)
    return make_client(db)


def country(directory: dict[str, Any], code: str) -> dict[str, Any]:
    return next(c for c in directory["countries"] if c["code"] == code)


def test_directory_json_per_country(client: TestClient) -> None:
    r = client.get("/api/v1/directory")
    assert r.status_code == 200
    d = r.json()
    assert d["directory"] == "poise-authority-directory"
    assert "EU" not in {c["code"] for c in d["countries"]} and len(d["countries"]) >= 15
    fr = country(d, "FR")
    assert fr["point_of_contact"]["entity"] == "Poise Platform EU Legal Representative"
    assert "legal representative" in fr["point_of_contact"]["role"]
    types = {t["type"]: t for t in fr["accepted_request_types"]}
    assert set(types) >= {"dsa_order_to_act", "dsa_order_to_provide_information", "tco_removal_order",
                          "eevidence_production_order", "eevidence_preservation_order", "emergency_disclosure"}
    assert "non_eu_legal_process" not in types
    tco = types["tco_removal_order"]
    assert tco["required_instruments"] == ["TCO-2021/784"] and tco["expected_timeline"] == "1 hour"
    assert tco["automated_when_policy_passes"] is True
    epoc = types["eevidence_production_order"]
    assert epoc["expected_timeline"] == "10 days" and epoc["emergency_deadline_hours"] == 8
    assert types["dsa_order_to_act"]["aliases"] == ["dsa_art9_order"]
    assert types["dsa_order_to_provide_information"]["data_categories"] == ["subscriber"]
    assert {a["name"] for a in fr["verified_authorities"]} >= {"Office anti-cybercriminalité (OFAC) - PHAROS"}
    assert all("contact_email" not in a for a in fr["verified_authorities"])
    assert fr["how_to_authenticate"]["register"]["api"] == "POST /api/v1/authority/registrations"
    us = country(d, "US")
    us_types = {t["type"]: t for t in us["accepted_request_types"]}
    assert set(us_types) == {"emergency_disclosure", "non_eu_legal_process"}
    assert us_types["non_eu_legal_process"]["required_instruments"] == ["US-SCA-2703D", "US-SCA-SUBPOENA"]
    assert us["point_of_contact"]["role"] == "global legal team"
    assert country(d, "TR")["rule_of_law_tier"] == 3 and "reviewed by a person" in country(d, "TR")["notes"]
    assert client.get("/.well-known/poise-authority-directory.json").json()["countries"] == d["countries"]


def test_directory_page_request_types_and_principles(client: TestClient) -> None:
    page = client.get("/authorities")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert 'id="country-FR"' in page.text and "EU legal representative" in page.text
    assert "answered within 1 hour" in page.text
    assert client.get("/directory", follow_redirects=False).headers["location"] == "/authorities"
    types = client.get("/api/v1/authority/request-types").json()
    assert {t["code"] for t in types} == {"dsa_order_to_act", "dsa_order_to_provide_information",
                                          "tco_removal_order", "eevidence_production_order",
                                          "eevidence_preservation_order", "emergency_disclosure",
                                          "non_eu_legal_process"}
    principles = client.get("/api/v1/authority/principles").json()
    assert "P1-no-encryption-keys" in principles["principles"]
    assert principles["rules"][0]["check"] == "country_withdrawn"


def test_empty_configuration_gives_an_empty_directory(db: Database) -> None:
    d = make_client(db).get("/api/v1/directory").json()
    assert d["countries"] == [] and d["eu_legal_representative"] is None
