"""One typed settings object, read from environment variables prefixed ``POISE_``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every configurable value of Poise. Override any field with ``POISE_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="POISE_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite:///var/poise.db",
        description="SQLAlchemy URL: sqlite:///path (embedded, default) or postgresql+psycopg://...",
    )
    nats_url: str = Field(default="nats://127.0.0.1:4222", description="NATS server for scale-out streaming")
    nats_stream: str = Field(default="POISE_EVENTS", description="JetStream stream holding content events")
    ingest_mode: Literal["inline", "nats"] = Field(
        default="inline", description="inline: store and screen in the API process; nats: publish to JetStream")
    host: str = "127.0.0.1"
    port: int = 8000
    public_base_url: str = "http://127.0.0.1:8000"
    webhook_dispatcher: bool = Field(default=True, description="Deliver webhooks from the API server process")
    bootstrap_admin_key: str | None = Field(
        default=None, description="If set, an admin API key with this exact secret exists at start-up"
    )
    max_body_bytes: int = Field(default=10 * 1024 * 1024, description="Largest accepted request body")
    max_batch_items: int = Field(default=5000, description="Largest accepted ingest batch")
    rate_limit_per_minute: int = Field(default=6000, description="Requests per minute per API key")
    report_small_count_threshold: int = Field(default=5, description="Counts below this are bucketed")
    pdq_threshold: int = Field(default=31, ge=0, le=31, description="PDQ Hamming distance for a match (of 256)")
    screening_enabled: bool = Field(default=True, description="Screen ingested content in this process")
    screening_rules: str | None = Field(default=None, description="YAML rules file (default: the shipped rules)")
    classifiers_enabled: bool = Field(default=True, description="Score text with the baseline classifiers")
    repeat_infringer_threshold: int = Field(default=3, description="Upheld violations before suspension")
    appeal_window_days: int = 183
    log_json: bool = False

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def sqlite_path(self) -> Path | None:
        """The database file of an embedded SQLite URL, or None."""
        if not self.is_sqlite:
            return None
        raw = self.database_url.split("///", 1)[1] if "///" in self.database_url else ""
        return Path(raw) if raw and raw != ":memory:" else None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached; tests call ``get_settings.cache_clear()``)."""
    return Settings()
