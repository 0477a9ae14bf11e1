"""Shared set-up for the authority tests: configured jurisdictions, platform sample data, and keys for
staff and for verified authorities of several countries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from poise.auth.keys import create_key
from poise.auth.roles import Role
from poise.demo import load_jurisdictions, load_platform_sample
from poise.platform.service import upsert_account, upsert_channel, upsert_content
from poise.store.db import Database
from poise.store.models import Authority
from tests.conftest import auth, issue_keys, make_client

AUTHORITIES = {
    "FR": "Office anti-cybercriminalité (OFAC) - PHAROS",
    "DE": "Bundeskriminalamt (BKA) - ZMI",
    "RU": "Roskomnadzor",
    "TR": "Information and Communication Technologies Authority (BTK)",
    "US": "Federal Bureau of Investigation",
}


@dataclass
class World:
    """A seeded database with an app client and every key a test needs."""

    db: Database
    client: TestClient
    keys: dict[str, str]  # staff keys by role, plus "legal-officer-2"
    authority_keys: dict[str, str]  # by country
    authority_ids: dict[str, str]

    def h(self, who: str) -> dict[str, str]:
        """Headers for a staff role or an authority's country code."""
        return auth(self.authority_keys[who] if who in self.authority_keys else self.keys[who])

    def submit(self, country: str, **body: Any) -> dict[str, Any]:
        r = self.client.post("/api/v1/authority/requests", headers=self.h(country), json=body)
        assert r.status_code == 201, r.text
        result: dict[str, Any] = r.json()
        return result

    def feed(self, after: int = 0) -> list[dict[str, Any]]:
        r = self.client.get("/api/v1/actions/feed", params={"after": after}, headers=self.h("platform"))
        assert r.status_code == 200, r.text
        items: list[dict[str, Any]] = r.json()["items"]
        return items


def seed_platform(db: Database) -> None:
    """Demo accounts, channels and posts plus a terrorist channel in France and a suspect in Germany."""
    with db.session() as s:
        load_jurisdictions(s)
        load_platform_sample(s)
        upsert_account(s, "acct-2001", handle="caliphate_fr", display_name="Caliphate News", country="FR")
        upsert_channel(s, "chan-terror", owner_external_id="acct-2001", title="Caliphate News FR", country="FR")
        upsert_content(s, "post-t1", channel_external_id="chan-terror", author_external_id="acct-2001",
                       text="Join the fight: attack the infidels, martyrdom awaits the brave", language="en")
        upsert_content(s, "post-t2", channel_external_id="chan-terror", author_external_id="acct-2001",
                       text="Video: how to build an explosive vest", language="en")
        upsert_account(s, "acct-3001", handle="suspect_de", display_name="Max Muster", country="DE",
                       registered_at=datetime(2024, 3, 1, 9, 30, tzinfo=UTC), last_ip="203.0.113.7",
                       phone_hash="f" * 64)
        upsert_channel(s, "chan-de", owner_external_id="acct-3001", title="Tausche Sachen", country="DE")
        upsert_content(s, "post-d1", channel_external_id="chan-de", author_external_id="acct-3001",
                       text="Selling a used bike, Berlin", language="de")
        upsert_content(s, "post-d2", channel_external_id="chan-de", author_external_id="acct-3001",
                       text="private note to a friend", language="de", is_public=False)


def authority_keys(db: Database) -> tuple[dict[str, str], dict[str, str]]:
    """An API key per seeded verified authority (role authority, subject = the authority)."""
    keys: dict[str, str] = {}
    ids: dict[str, str] = {}
    with db.session() as s:
        for country, name in AUTHORITIES.items():
            a = s.execute(select(Authority).where(Authority.name == name)).scalar_one()
            ids[country] = a.id
            keys[country] = create_key(s, name=f"test {name}", role=Role.AUTHORITY, subject_id=a.id).secret
    return keys, ids


def make_world(db: Database) -> World:
    seed_platform(db)
    keys = issue_keys(db)
    with db.session() as s:
        keys["legal-officer-2"] = create_key(s, name="second legal officer", role=Role.LEGAL_OFFICER).secret
    akeys, aids = authority_keys(db)
    return World(db=db, client=make_client(db), keys=keys, authority_keys=akeys, authority_ids=aids)


def ids_of(world: World, *external_ids: str) -> dict[str, str]:
    """Poise ids of platform objects by external id."""
    from poise.store.models import Channel, ContentItem, PlatformAccount

    out: dict[str, str] = {}
    with world.db.read_session() as s:
        for model in (ContentItem, Channel, PlatformAccount):
            for row in s.execute(select(model).where(model.external_id.in_(external_ids))).scalars():
                out[row.external_id] = row.id
    return out
