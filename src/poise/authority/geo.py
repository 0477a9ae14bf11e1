"""Geo-restriction of content, channels and accounts, and withdrawal of the whole service from a country.

Both are ordinary decisions (``decide``): the platform learns of them from the action feed
(``geo_restrict``, ``withdraw_country``, ``return_country``), ``decide_many`` mirrors a withdrawal onto the
jurisdiction's ``service_status``, and the decision plus its audit entry are the record. A withdrawn
country's requests are refused by the policy engine (principle P8).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from poise.actions.service import DecisionInput, DecisionResult, decide
from poise.actions.vocabulary import DecisionSource, Ground, Outcome
from poise.auth.principal import Principal
from poise.authority.models import AuthorityRequest
from poise.core.errors import Conflict, NotFound, Unprocessable
from poise.platform.service import require_subject
from poise.store.models import Decision, Jurisdiction


def geo_restrict(session: Session, principal: Principal, subject_type: str, subject_id: str, countries: list[str],
                 reason: str, legal_reference: str | None = None, request_id: str | None = None,
                 category: str | None = None) -> DecisionResult:
    """Withhold a post, channel or account in the given countries (and only there)."""
    subject = require_subject(session, subject_type, subject_id)
    unknown = [c for c in countries if session.get(Jurisdiction, c) is None]
    if unknown:
        raise Unprocessable(f"unknown countries {unknown}", code="unknown_jurisdiction")
    if request_id is not None and session.get(AuthorityRequest, request_id) is None:
        raise NotFound(f"no request {request_id}", code="unknown_request")
    return decide(session, DecisionInput(
        subject_type=subject_type, subject_id=subject_id, outcome=Outcome.GEO_RESTRICT,
        source=DecisionSource.AUTHORITY_ORDER if request_id else DecisionSource.POLICY,
        actor=principal.actor, actor_role=principal.role.value, ground=Ground.ILLEGAL.value, category=category,
        legal_reference=legal_reference, explanation=reason, territorial_scope=sorted(set(countries)),
        rule_id=f"authority_request:{request_id}" if request_id else None,
        signal={"request_id": request_id} if request_id else {},
        target_external_id=getattr(subject, "external_id", None),
        action_params={"reason": reason, **({"request_id": request_id} if request_id else {})}))


def _jurisdiction(session: Session, code: str) -> Jurisdiction:
    found = session.get(Jurisdiction, code)
    if found is None or code == "EU":
        raise NotFound(f"no country {code}", code="unknown_jurisdiction")
    return found


def withdraw(session: Session, principal: Principal, code: str, reason: str) -> tuple[Jurisdiction, DecisionResult]:
    """Withdraw the whole service from a country (reversible with :func:`return_to`)."""
    j = _jurisdiction(session, code)
    if j.service_status == "withdrawn":
        raise Conflict(f"the service has already withdrawn from {code}", code="already_withdrawn")
    result = _country_decision(session, principal, code, Outcome.WITHDRAW_COUNTRY, reason)
    session.refresh(j)
    return j, result


def return_to(session: Session, principal: Principal, code: str, reason: str) -> tuple[Jurisdiction, DecisionResult]:
    """Bring the service back to a country it had withdrawn from."""
    j = _jurisdiction(session, code)
    if j.service_status != "withdrawn":
        raise Conflict(f"the service has not withdrawn from {code}", code="not_withdrawn")
    result = _country_decision(session, principal, code, Outcome.RETURN_COUNTRY, reason)
    session.refresh(j)
    return j, result


def _country_decision(session: Session, principal: Principal, code: str, outcome: Outcome,
                      reason: str) -> DecisionResult:
    return decide(session, DecisionInput(
        subject_type="country", subject_id=code, outcome=outcome, source=DecisionSource.POLICY,
        actor=principal.actor, actor_role=principal.role.value, explanation=reason, territorial_scope=[code],
        policy="P8-withdrawn-country", target_external_id=code, action_params={"reason": reason}))


def status(session: Session, limit: int = 200) -> dict[str, Any]:
    """Withdrawn countries and the latest geo-restrictions."""
    withdrawn = session.execute(select(Jurisdiction).where(Jurisdiction.service_status == "withdrawn")
                                .order_by(Jurisdiction.code)).scalars().all()
    geo = session.execute(select(Decision).where(Decision.outcome == Outcome.GEO_RESTRICT.value)
                          .order_by(Decision.created_at.desc()).limit(limit)).scalars().all()
    return {
        "withdrawn_countries": [{"code": j.code, "name": j.name,
                                 "withdrawn_at": j.withdrawn_at.isoformat() if j.withdrawn_at else None}
                                for j in withdrawn],
        "geo_restrictions": [{"decision_id": d.id, "subject_type": d.subject_type, "subject_id": d.subject_id,
                              "countries": d.territorial_scope, "reason": d.explanation,
                              "decided_by": d.decided_by, "created_at": d.created_at.isoformat()} for d in geo],
    }
