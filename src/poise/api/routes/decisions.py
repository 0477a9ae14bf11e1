"""Decisions and the actions they produced."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select

from poise.actions.service import DecisionInput, decide
from poise.actions.vocabulary import DecisionSource
from poise.api.deps import DbSession, requires
from poise.api.pagination import Page, PageParams, paginate
from poise.api.schemas import ActionOut, DecisionIn, DecisionOut, DecisionWithActions
from poise.auth.principal import Principal
from poise.auth.roles import LEGAL, MODERATORS, STAFF
from poise.core.errors import NotFound
from poise.platform.service import require_subject
from poise.store.models import Action, Decision

router = APIRouter(prefix="/api/v1", tags=["decisions"])


@router.get("/decisions", response_model=Page[DecisionOut], summary="List decisions")
def list_decisions(session: DbSession, page: PageParams = Depends(),
                   subject_id: str | None = Query(None, max_length=36),
                   principal: Principal = requires(STAFF)) -> Page[DecisionOut]:
    stmt = select(Decision)
    if subject_id:
        stmt = stmt.where(Decision.subject_id == subject_id)
    return paginate(session, stmt, Decision.id, page, DecisionOut.model_validate)


@router.get("/decisions/{decision_id}", response_model=DecisionWithActions, summary="A decision and its actions")
def get_decision(decision_id: str, session: DbSession, principal: Principal = requires(STAFF)) -> DecisionWithActions:
    decision = session.get(Decision, decision_id)
    if decision is None:
        raise NotFound(f"no decision {decision_id}")
    actions = session.execute(select(Action).where(Action.decision_id == decision_id)).scalars().all()
    return DecisionWithActions(decision=DecisionOut.model_validate(decision),
                               actions=[ActionOut.model_validate(a) for a in actions], created=False)


@router.post("/decisions", status_code=201, response_model=DecisionWithActions,
             summary="Record a moderator's own-initiative decision")
def create_decision(body: DecisionIn, session: DbSession,
                    principal: Principal = requires(MODERATORS, LEGAL)) -> DecisionWithActions:
    require_subject(session, body.subject_type, body.subject_id)
    result = decide(session, DecisionInput(
        subject_type=body.subject_type, subject_id=body.subject_id, outcome=body.outcome,
        source=DecisionSource.OWN_INITIATIVE, actor=principal.actor, actor_role=principal.role.value,
        ground=body.ground.value, category=body.category, legal_reference=body.legal_reference,
        policy=body.policy, explanation=body.explanation, territorial_scope=body.territorial_scope,
        case_id=body.case_id, idempotency_key=body.idempotency_key))
    return DecisionWithActions(decision=DecisionOut.model_validate(result.decision),
                               actions=[ActionOut.model_validate(a) for a in result.actions],
                               created=result.created)
