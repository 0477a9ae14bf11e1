"""Cases: units of review work (the review console builds on these)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select

from poise.api.deps import DbSession, requires
from poise.api.pagination import Page, PageParams, paginate
from poise.api.schemas import CaseIn, CaseOut, CaseUpdate
from poise.audit import record
from poise.auth.principal import Principal
from poise.auth.roles import LEGAL, MODERATORS
from poise.core.clock import utcnow
from poise.core.errors import NotFound
from poise.store.models import Case

router = APIRouter(prefix="/api/v1/cases", tags=["cases"])


@router.get("", response_model=Page[CaseOut], summary="List cases")
def list_cases(session: DbSession, page: PageParams = Depends(),
               status: str | None = Query(None, max_length=20),
               principal: Principal = requires(MODERATORS, LEGAL)) -> Page[CaseOut]:
    stmt = select(Case)
    if status:
        stmt = stmt.where(Case.status == status)
    return paginate(session, stmt, Case.id, page, CaseOut.model_validate)


@router.post("", status_code=201, response_model=CaseOut, summary="Open a case (own initiative)")
def open_case(body: CaseIn, session: DbSession, principal: Principal = requires(MODERATORS)) -> CaseOut:
    case = Case(**body.model_dump(), source="own_initiative")
    session.add(case)
    session.flush()
    record(session, principal.actor, principal.role.value, "case.opened", "case", case.id,
           subject_type=body.subject_type, subject_id=body.subject_id)
    return CaseOut.model_validate(case)


@router.get("/{case_id}", response_model=CaseOut, summary="One case (audited)")
def get_case(case_id: str, session: DbSession, principal: Principal = requires(MODERATORS, LEGAL)) -> CaseOut:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"no case {case_id}")
    record(session, principal.actor, principal.role.value, "read.case", "case", case_id)
    return CaseOut.model_validate(case)


@router.patch("/{case_id}", response_model=CaseOut, summary="Assign, re-prioritise or change a case's status")
def update_case(case_id: str, body: CaseUpdate, session: DbSession,
                principal: Principal = requires(MODERATORS)) -> CaseOut:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"no case {case_id}")
    changes = body.model_dump(exclude_unset=True)
    for k, v in changes.items():
        setattr(case, k, v)
    case.updated_at = utcnow()
    record(session, principal.actor, principal.role.value, "case.updated", "case", case_id, **changes)
    return CaseOut.model_validate(case)
