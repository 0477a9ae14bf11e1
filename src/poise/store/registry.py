"""Import every model module so ``Base.metadata`` knows all tables (for Alembic and tests).

Each bounded context that owns tables adds its models module to ``MODEL_MODULES``.
"""

from __future__ import annotations

import importlib

from sqlalchemy import MetaData

from poise.store.base import Base

MODEL_MODULES = [
    "poise.store.models",
    "poise.audit.models",
    "poise.store.sequences",
    "poise.ingest.models",
    "poise.screening.models",
    "poise.transparency.models",
    "poise.actions.rollup",
    "poise.actions.webhooks",
    "poise.actions.channel_removals",
    "poise.authority.models",
    "poise.cases.models",
]


def load_all_models() -> MetaData:
    """Import all model modules and return the complete metadata."""
    for module in MODEL_MODULES:
        importlib.import_module(module)
    return Base.metadata
