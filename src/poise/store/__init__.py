"""Persistence: SQLAlchemy 2 models and Alembic migrations, on SQLite (default) or PostgreSQL.

Each bounded context keeps its tables in its own ``models.py`` on the shared :class:`Base`; this package
owns the engine, sessions, the core platform-domain tables and the migration environment.
"""
