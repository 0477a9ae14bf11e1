"""Building the screener that ingest uses (see :class:`poise.ingest.service.Screener`)."""

from __future__ import annotations

from poise.ingest.service import Screener
from poise.settings import Settings
from poise.store.db import Database


def build_screener(db: Database, settings: Settings) -> Screener | None:
    """The screener for this deployment. Until the screening pipeline lands, ingest stores without screening."""
    return None
