"""Demo data for ``make run``: jurisdictions (from data/jurisdictions.yaml), authorities, platform content
and one API key per role with well-known secrets. Idempotent. Never load it into production."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from poise.auth.keys import ensure_key
from poise.auth.roles import KEY_ROLES, Role
from poise.authority.demo import link_demo_authority
from poise.platform.service import upsert_account, upsert_channel, upsert_content
from poise.store.models import Authority, Jurisdiction, LegalInstrument

DATA_DIR = Path(__file__).parent / "data"


def demo_key(role: str) -> str:
    """The well-known demo secret of a role (``poise_<12 hex>_demo-<role>``)."""
    return f"poise_{role.encode().hex()[:12].ljust(12, '0')}_demo-{role}"


DEMO_KEYS: dict[str, str] = {role.value: demo_key(role.value) for role in KEY_ROLES}


def load_jurisdictions(session: Session, path: Path | None = None) -> int:
    """Load or update jurisdictions, instruments and authorities from YAML; returns jurisdictions loaded."""
    doc: dict[str, Any] = yaml.safe_load((path or DATA_DIR / "jurisdictions.yaml").read_text("utf-8"))
    for item in doc["jurisdictions"]:
        code = item["code"]
        j = session.get(Jurisdiction, code) or Jurisdiction(code=code)
        j.name = item["name"]
        j.is_eu_member = bool(item.get("is_eu_member", False))
        j.rule_of_law_tier = int(item.get("rule_of_law_tier", 2))
        j.point_of_contact = item.get("point_of_contact", {})
        session.add(j)
        session.flush()
        for ins in item.get("instruments", []):
            found = session.execute(select(LegalInstrument).where(
                LegalInstrument.jurisdiction_code == code, LegalInstrument.code == ins["code"])).scalar_one_or_none()
            found = found or LegalInstrument(jurisdiction_code=code, code=ins["code"])
            for key in ("title", "request_types", "data_categories", "requires_judicial_authorisation",
                        "deadline_hours", "emergency_deadline_hours", "description"):
                if key in ins:
                    setattr(found, key, ins[key])
            session.add(found)
        for auth in item.get("authorities", []):
            exists = session.execute(select(Authority).where(
                Authority.jurisdiction_code == code, Authority.name == auth["name"])).scalar_one_or_none()
            if exists is None:
                session.add(Authority(jurisdiction_code=code, **auth))
    session.flush()
    return len(doc["jurisdictions"])


def load_platform_sample(session: Session) -> None:
    """A few accounts, channels and posts to look at."""
    upsert_account(session, "acct-1001", handle="alice", display_name="Alice", country="FR")
    upsert_account(session, "acct-1002", handle="bob", display_name="Bob", country="DE")
    upsert_account(session, "acct-1003", handle="greenmarket", display_name="Green Market", country="NL")
    upsert_account(session, "acct-1004", handle="freedomsquare", display_name="Freedom Square", country="TR")
    upsert_channel(session, "chan-news", owner_external_id="acct-1001", title="Daily News", country="FR")
    upsert_channel(session, "chan-market", owner_external_id="acct-1003", title="Green Market Deals",
                   country="NL")
    upsert_channel(session, "chan-protest", owner_external_id="acct-1004", title="Peaceful Protest Updates",
                   country="TR")
    upsert_content(session, "post-1", channel_external_id="chan-news", author_external_id="acct-1001",
                   text="Council meeting tonight at 7pm, everyone welcome.", language="en")
    upsert_content(session, "post-2", channel_external_id="chan-market", author_external_id="acct-1003",
                   text="Best cocaine and MDMA, fast delivery, pay in crypto, DM now", language="en")
    upsert_content(session, "post-3", channel_external_id="chan-protest", author_external_id="acct-1004",
                   text="Peaceful march on Saturday at noon in the central square. Bring water.", language="en")


def load_demo(session: Session) -> dict[str, str]:
    """Load all demo data; returns the demo key secrets by role."""
    load_jurisdictions(session)
    load_platform_sample(session)
    for role, secret in DEMO_KEYS.items():
        ensure_key(session, name=f"demo {role}", role=Role(role), secret=secret)
    link_demo_authority(session, DEMO_KEYS[Role.AUTHORITY.value])
    return DEMO_KEYS
