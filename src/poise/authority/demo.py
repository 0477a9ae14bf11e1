"""Demo wiring: the well-known demo ``authority`` key acts for France's OFAC - PHAROS, so the portal works
out of the box with ``make run``. Never used outside demo data."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from poise.auth.keys import split_key
from poise.store.models import ApiKey, Authority

DEMO_AUTHORITY = "Office anti-cybercriminalité (OFAC) - PHAROS"


def link_demo_authority(session: Session, secret: str) -> str | None:
    """Tie the demo authority key to the demo authority; returns the authority id (None if absent)."""
    authority = session.execute(select(Authority).where(Authority.name == DEMO_AUTHORITY)).scalars().first()
    prefix = split_key(secret)
    if authority is None or prefix is None:
        return None
    session.execute(update(ApiKey).where(ApiKey.prefix == prefix).values(subject_id=authority.id))
    return authority.id
