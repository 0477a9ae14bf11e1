"""Keyset pagination over time-ordered ids: ``?limit=&cursor=`` -> ``{items, next_cursor}``."""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel
from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute, Session

from poise.core.errors import PoiseError

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """A page of results; pass ``next_cursor`` back as ``cursor`` for the next page (null: no more)."""

    items: list[T]
    next_cursor: str | None = None


class PageParams:
    """Query parameters of a paginated list."""

    def __init__(self, limit: int = Query(50, ge=1, le=500, description="Items per page (1-500)"),
                 cursor: str | None = Query(None, max_length=200, description="From a previous page")) -> None:
        self.limit = limit
        self.cursor = cursor


def encode_cursor(value: str) -> str:
    return base64.urlsafe_b64encode(value.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    try:
        value = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True).decode()
    except (ValueError, UnicodeDecodeError) as exc:
        raise PoiseError("the cursor is not one this API issued", code="invalid_cursor") from exc
    if not value:
        raise PoiseError("the cursor is not one this API issued", code="invalid_cursor")
    return value


def paginate(session: Session, stmt: Select[Any], key: InstrumentedAttribute[Any], params: PageParams,
             convert: Callable[[Any], T]) -> Page[T]:
    """Run ``stmt`` ordered by ``key`` (ascending, unique), one page after ``params.cursor``."""
    if params.cursor:
        stmt = stmt.where(key > decode_cursor(params.cursor))
    rows: Sequence[Any] = session.execute(stmt.order_by(key).limit(params.limit + 1)).scalars().all()
    more = len(rows) > params.limit
    rows = rows[: params.limit]
    items = [convert(r) for r in rows]
    next_cursor = encode_cursor(str(getattr(rows[-1], key.key))) if more and rows else None
    return Page[T](items=items, next_cursor=next_cursor)
