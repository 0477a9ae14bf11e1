"""Reading and verifying the audit log (admins and legal officers)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select

from poise.api.deps import DbSession, requires
from poise.api.pagination import PageParams
from poise.api.schemas import AuditEntryOut, AuditVerifyOut
from poise.audit.log import verify_chain
from poise.audit.models import AuditEntry
from poise.auth.principal import Principal
from poise.auth.roles import ADMINS, LEGAL
from poise.core.errors import PoiseError

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])


@router.get("", summary="Audit entries in chain order; next_cursor is the last seq")
def list_entries(session: DbSession, page: PageParams = Depends(),
                 subject_id: str | None = Query(None, max_length=200),
                 principal: Principal = requires(ADMINS, LEGAL)) -> dict[str, object]:
    stmt = select(AuditEntry)
    if page.cursor:
        if not page.cursor.isdigit():
            raise PoiseError("the audit cursor is a sequence number", code="invalid_cursor")
        stmt = stmt.where(AuditEntry.seq > int(page.cursor))
    if subject_id:
        stmt = stmt.where(AuditEntry.subject_id == subject_id)
    rows = session.execute(stmt.order_by(AuditEntry.seq).limit(page.limit + 1)).scalars().all()
    more = len(rows) > page.limit
    rows = rows[: page.limit]
    return {"items": [AuditEntryOut.model_validate(r).model_dump(mode="json") for r in rows],
            "next_cursor": str(rows[-1].seq) if more and rows else None}


@router.get("/verify", response_model=AuditVerifyOut, summary="Verify the whole hash chain")
def verify(session: DbSession, expect_head: str | None = Query(None, pattern=r"^[0-9a-f]{64}$"),
           principal: Principal = requires(ADMINS, LEGAL)) -> AuditVerifyOut:
    r = verify_chain(session, expect_head)
    return AuditVerifyOut(ok=r.ok, entries=r.entries, head_hash=r.head_hash, problem=r.problem, at_seq=r.at_seq)
