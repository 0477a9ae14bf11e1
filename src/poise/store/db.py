"""Engine and session management for SQLite (WAL, embedded) and PostgreSQL (psycopg 3)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Engine, Table, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from poise.settings import get_settings


def normalise_url(url: str) -> str:
    """Use psycopg 3 for plain ``postgresql://`` URLs."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine tuned for Poise: WAL + foreign keys on SQLite, pre-ping on PostgreSQL."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # We issue BEGIN ourselves (below) so that write transactions take the lock up front.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # Writers serialise at BEGIN IMMEDIATE, so a transaction never reads a snapshot that a
            # concurrent writer makes stale (which would fork the audit chain or fail late).
            read_only = conn.get_execution_options().get("poise_read_only", False)
            conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    return create_engine(url, **kwargs)


class Database:
    """One database: an engine plus a session factory. Pass it around instead of globals."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = normalise_url(url)
        self.engine = make_engine(self.url, **engine_kwargs)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.read_sessions = sessionmaker(
            self.engine.execution_options(poise_read_only=True), expire_on_commit=False
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on error."""
        session = self.sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        """A session for pure reads: on SQLite it does not take the write lock. Do not write in it."""
        session = self.read_sessions()
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


@lru_cache(maxsize=1)
def get_database() -> Database:
    """The process-wide database from settings."""
    return Database(get_settings().database_url)


def core_table(model: Any) -> Table:
    """The Core table of a mapped class: bulk inserts through it skip the ORM's per-row bookkeeping."""
    return cast(Table, model.__table__)


def insert_ignoring_conflicts(session: Any, table: Any, rows: list[dict[str, Any]] | dict[str, Any],
                              returning: Sequence[str] = ()) -> list[Any]:
    """INSERT ... ON CONFLICT DO NOTHING on SQLite and PostgreSQL (safe under concurrent first use).

    With ``returning`` column names, returns those columns of the rows actually inserted (not of the
    ones skipped as conflicts)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        statement: Any = pg_insert(getattr(table, "__table__", table)).on_conflict_do_nothing()
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        statement = sqlite_insert(getattr(table, "__table__", table)).on_conflict_do_nothing()
    params = rows if isinstance(rows, list) else [rows]
    if returning:
        core = getattr(table, "__table__", table)
        result = session.execute(statement.returning(*(core.c[name] for name in returning)), params)
        return list(result.all())
    # parameters passed separately: one cached statement, executemany (batched "insertmanyvalues")
    session.execute(statement, params)
    return []
