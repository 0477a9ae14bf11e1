"""Authority pages over HTTP (sign-in redirects, roles, staff queue, forms) and the DSA Part 3 table fed by
the authority audit entries."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from poise.store.db import Database
from poise.transparency.dsa_tables import PART_3, member_state_orders_table
from tests.authority_support import World, make_world


@pytest.fixture
def world(db: Database) -> World:
    return make_world(db)


def test_portal_gates_by_role(world: World) -> None:
    c = world.client
    r = c.get("/authority", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/authority"
    assert c.get("/authority", headers=world.h("moderator")).status_code == 403
    assert c.get("/authority", headers=world.h("legal-officer"), follow_redirects=False
                 ).headers["location"] == "/authority/review"
    unlinked = c.get("/authority", headers=world.h("authority"))
    assert unlinked.status_code == 403 and "not tied to a registered authority" in unlinked.text
    page = c.get("/authority", headers=world.h("FR"))
    assert page.status_code == 200 and "Authority portal" in page.text and "tco_removal_order" in page.text
    assert c.get("/authority/review", headers=world.h("FR")).status_code == 403


def test_form_submission_and_request_page(world: World) -> None:
    c = world.client
    r = c.post("/authority/requests", headers=world.h("DE"), follow_redirects=False, data={
        "request_type": "dsa_order_to_provide_information", "data_categories": ["subscriber"],
        "targets": "account:@suspect_de", "issuer_type": "prosecutor", "reference": "BKA-WEB-1"})
    assert r.status_code == 303, r.text
    location = r.headers["location"]
    page = c.get(location, headers=world.h("DE"))
    assert page.status_code == 200 and 'id="request-status">awaiting_disclosure<' in page.text
    assert "out of reach by design" in page.text
    assert c.get(location, headers=world.h("FR")).status_code == 404  # another authority's request
    bad = c.post("/authority/requests", headers=world.h("DE"), data={
        "request_type": "dsa_order_to_act", "targets": "planet:earth"})
    assert bad.status_code == 422 and "cannot read target" in bad.text


def test_staff_queue_review_form_and_registration_forms(world: World) -> None:
    c = world.client
    art9 = world.submit("FR", request_type="dsa_order_to_act", reference="PAR-WEB-9", category="drugs",
                        targets=[{"type": "content", "external_id": "post-2"}])
    queue = c.get("/authority/review", headers=world.h("legal-officer"))
    assert queue.status_code == 200 and "PAR-WEB-9" in queue.text
    detail = c.get(f"/authority/requests/{art9['id']}", headers=world.h("legal-officer"))
    assert 'value="comply"' in detail.text
    r = c.post(f"/authority/review/{art9['id']}", headers=world.h("legal-officer"), follow_redirects=False,
               data={"decision": "comply", "note": "checked"})
    assert r.status_code == 303
    done = c.get(f"/api/v1/authority/requests/{art9['id']}", headers=world.h("FR")).json()
    assert done["status"] == "complied" and done["actions"][0]["kind"] == "remove_content"
    again = c.post(f"/authority/review/{art9['id']}", headers=world.h("legal-officer"), data={"decision": "comply"})
    assert again.status_code == 409 and "complied" in again.text
    form = c.get("/authority/register")
    assert form.status_code == 200 and 'name="contact_email"' in form.text
    applied = c.post("/authority/register", data={
        "jurisdiction_code": "IE", "name": "Garda National Cyber Crime Bureau", "agency": "An Garda Síochána",
        "kind": "law_enforcement", "contact_name": "S. Murphy", "contact_email": "gncb@garda.example"})
    assert applied.status_code == 201 and "is recorded" in applied.text
    queue = c.get("/authority/review", headers=world.h("admin"))
    assert "Garda National Cyber Crime Bureau" in queue.text and "Verify and issue key" in queue.text
    reg_id = c.get("/api/v1/authority/registrations", headers=world.h("admin")).json()["items"][0]["id"]
    assert c.post(f"/authority/registrations/{reg_id}/verify", headers=world.h("legal-officer")).status_code == 403
    verified = c.post(f"/authority/registrations/{reg_id}/verify", headers=world.h("admin"))
    assert verified.status_code == 200 and 'id="issued-key">poise_' in verified.text


def test_dsa_part3_counts_orders_per_member_state(world: World) -> None:
    world.submit("FR", request_type="tco_removal_order", targets=[{"type": "content", "external_id": "post-t1"}])
    world.submit("DE", request_type="dsa_art10_order", data_categories=["subscriber"],
                 targets=[{"type": "account", "handle": "suspect_de"}])
    world.submit("RU", request_type="non_eu_legal_process", data_categories=["encryption_keys"])
    today = datetime.now(UTC).date()
    with world.db.read_session() as s:
        table = member_state_orders_table(s, today, today, "Poise")[PART_3]
    rows = list(csv.reader(io.StringIO(table)))
    header = {name.strip(): i for i, name in enumerate(rows[0])}
    act = header["Number of orders to act against illegal content received"]
    info = header["Number of orders to provide information"]
    effect = header["Median time to give effect to the order to act against illegal content"]
    by_country = {r[5]: r for r in rows[1:] if r[3] == "TOTAL"}  # all categories, per issuing Member State
    assert "RU" not in by_country
    assert by_country["FR"][act] == "1" and by_country["FR"][info] == "0"
    assert by_country["DE"][act] == "0" and by_country["DE"][info] == "1"
    assert float(by_country["FR"][effect]) < 0.01  # hours: executed at intake
