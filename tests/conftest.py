"""Shared fixtures: migrated databases on SQLite and PostgreSQL, an app client, and one key per role.

``db`` is SQLite; ``any_db`` runs a test on both SQLite and PostgreSQL. PostgreSQL must be reachable at
POISE_TEST_PG_URL (default: the local server, database ``test``): a test that needs it FAILS, never skips,
when it is down (``make test`` starts it first).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page
from sqlalchemy import create_engine, text

from poise.api.app import create_app
from poise.auth.keys import create_key
from poise.auth.roles import KEY_ROLES
from poise.settings import Settings
from poise.store.db import Database
from poise.store.migrate import upgrade
from poise.store.registry import load_all_models

PG_URL = os.environ.get("POISE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _tables_in_delete_order() -> list[str]:
    return [t.name for t in reversed(load_all_models().sorted_tables)]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating once keeps the suite fast)."""
    path = tmp_path_factory.mktemp("template") / "poise.db"
    db = Database(f"sqlite:///{path}")
    upgrade(db)
    db.dispose()  # closing the last connection checkpoints the WAL into the main file
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0
    return path


@pytest.fixture(scope="session")
def pg_schema_url() -> Iterator[str]:
    """A private schema on the PostgreSQL server, migrated once for this test session."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, pool_pre_ping=True)  # survives the PostgreSQL restart of the fault tests
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:
        pytest.fail(f"PostgreSQL is required for this test but unreachable at {PG_URL}: {exc}", pytrace=False)
    sep = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    db = Database(url)
    upgrade(db)
    db.dispose()
    yield url
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _sqlite_db(template: Path, tmp_path: Path) -> Database:
    target = tmp_path / "poise.db"
    shutil.copyfile(template, target)
    return Database(f"sqlite:///{target}")


def _pg_db(url: str) -> Database:
    db = Database(url)
    with db.engine.begin() as conn:
        tables = ", ".join(f'"{t}"' for t in _tables_in_delete_order())
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    return db


@pytest.fixture
def db(sqlite_template: Path, tmp_path: Path) -> Iterator[Database]:
    """A fresh, migrated SQLite database."""
    database = _sqlite_db(sqlite_template, tmp_path)
    yield database
    database.dispose()


@pytest.fixture
def pg_db(pg_schema_url: str) -> Iterator[Database]:
    """A fresh (truncated), migrated PostgreSQL database."""
    database = _pg_db(pg_schema_url)
    yield database
    database.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_db(request: pytest.FixtureRequest, sqlite_template: Path, tmp_path: Path) -> Iterator[Database]:
    """The same test on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        database = _sqlite_db(sqlite_template, tmp_path)
    else:
        database = _pg_db(request.getfixturevalue("pg_schema_url"))
    yield database
    database.dispose()


def make_client(database: Database, **settings: object) -> TestClient:
    """A TestClient for an app on ``database``."""
    return TestClient(create_app(Settings(database_url=database.url, **settings), database))  # type: ignore[arg-type]


@pytest.fixture
def client(db: Database) -> TestClient:
    """An app client on a fresh SQLite database."""
    return make_client(db)


@pytest.fixture
def any_client(any_db: Database) -> TestClient:
    """An app client on each backend."""
    return make_client(any_db)


def issue_keys(database: Database) -> dict[str, str]:
    """One fresh API key per role: ``{role value: secret}``."""
    with database.session() as session:
        return {role.value: create_key(session, name=f"test {role.value}", role=role).secret for role in KEY_ROLES}


@pytest.fixture
def keys(db: Database) -> dict[str, str]:
    return issue_keys(db)


def auth(secret: str) -> dict[str, str]:
    """Headers presenting a key."""
    return {"X-API-Key": secret}


# --- live server and browser (Playwright driving Debian's /usr/bin/chromium) -------------------------------

CHROMIUM = os.environ.get("POISE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


class LiveServer:
    """A real uvicorn server on a free loopback port, in a background thread."""

    def __init__(self, database: Database, **settings: object) -> None:
        import socket
        import threading

        import uvicorn

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.database = database
        self.app = create_app(Settings(database_url=database.url, **settings), database)  # type: ignore[arg-type]
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        import time

        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("live server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def live_server(db: Database) -> Iterator[LiveServer]:
    """Poise served over real HTTP on a fresh SQLite database."""
    with LiveServer(db) as server:
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium driven by Playwright. Fails (never skips) when Chromium is missing."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"browser tests need {CHROMIUM}: run scripts/ensure-chromium.sh (make test does)",
                    pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context and page (no shared cookies between tests)."""
    context = browser.new_context()
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()
