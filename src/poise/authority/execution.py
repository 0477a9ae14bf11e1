"""Carrying out an authority order that passed the policy engine: decisions, platform actions, preservation.

Everything goes through :func:`poise.actions.service.decide_many` (source ``authority_order``), so the actions
are numbered into the platform's pull feed in the same transaction as the request. Removed or requested
material is snapshotted into :class:`~poise.authority.models.Preservation` rows (TCO Art. 6: six months;
e-Evidence preservation orders: 60 days) and the platform is told to preserve it too (``preserve`` actions).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from poise.actions.service import DecisionInput, DecisionResult, decide_many
from poise.actions.vocabulary import AutomatedDecision, DecisionSource, Ground, Outcome
from poise.audit import record
from poise.authority.models import AuthorityRequest, Preservation
from poise.authority.policy import load_policy
from poise.authority.vocabulary import Kind, RequestType
from poise.core.clock import utcnow
from poise.store.models import Channel, ContentItem, LegalInstrument, PlatformAccount

REMOVE_OUTCOME = {"content": Outcome.REMOVE, "channel": Outcome.REMOVE, "account": Outcome.SUSPEND_ACCOUNT}
SNAPSHOT_POSTS = 1000


def snapshot(session: Session, subject_type: str, subject_id: str) -> dict[str, Any]:
    """What Poise holds about a subject, frozen (public posts only; private chats never reach Poise)."""
    if subject_type == "content":
        item = session.get(ContentItem, subject_id)
        if item is None:
            return {}
        return {"external_id": item.external_id, "kind": item.kind, "text": item.text, "language": item.language,
                "channel_id": item.channel_id, "author_id": item.author_id, "is_public": item.is_public,
                "published_at": item.published_at.isoformat() if item.published_at else None,
                "status_before": item.status}
    if subject_type == "channel":
        chan = session.get(Channel, subject_id)
        if chan is None:
            return {}
        posts = session.execute(select(ContentItem).where(ContentItem.channel_id == subject_id)
                                .order_by(ContentItem.id).limit(SNAPSHOT_POSTS)).scalars().all()
        return {"external_id": chan.external_id, "kind": chan.kind, "title": chan.title, "owner_id": chan.owner_id,
                "country": chan.country, "status_before": chan.status,
                "posts": [{"external_id": p.external_id, "text": p.text,
                           "published_at": p.published_at.isoformat() if p.published_at else None} for p in posts]}
    acct = session.get(PlatformAccount, subject_id)
    if acct is None:
        return {}
    return {"external_id": acct.external_id, "handle": acct.handle, "display_name": acct.display_name,
            "country": acct.country, "status_before": acct.status}


def _legal_reference(session: Session, req: AuthorityRequest, spec: RequestType) -> str:
    title = spec.legal_text
    if req.instrument_code:
        ins = session.execute(select(LegalInstrument.title).where(LegalInstrument.code == req.instrument_code)
                              ).scalars().first()
        title = ins or title
    return f"{title}; order {req.reference or req.id} ({req.country})"[:500]


def execute(session: Session, req: AuthorityRequest, spec: RequestType, eu: frozenset[str], actor: str,
            actor_role: str, automated: bool) -> list[DecisionResult]:
    """Record the decisions an order calls for (restriction and/or preservation) and the preservation rows."""
    now = utcnow()
    reference = _legal_reference(session, req, spec)
    policy = f"poise-principles {load_policy().version}"
    base: dict[str, Any] = dict(
        source=DecisionSource.AUTHORITY_ORDER, actor=actor, actor_role=actor_role, ground=Ground.ILLEGAL.value,
        category=req.category, legal_reference=reference, policy=policy, rule_id=f"authority_request:{req.id}",
        signal={"request_id": req.id, "authority_id": req.authority_id, "country": req.country,
                "request_type": req.request_type},
        automated_decision=AutomatedDecision.FULLY if automated else AutomatedDecision.NOT, case_id=None)
    inputs: list[DecisionInput] = []
    if req.kind == Kind.ACT.value:
        scope = sorted(eu) if spec.code == "tco_removal_order" else [req.country]
        for t in req.targets:
            outcome = Outcome.GEO_RESTRICT if req.action == "geo_restrict" else REMOVE_OUTCOME[t["type"]]
            inputs.append(DecisionInput(
                subject_type=t["type"], subject_id=t["id"], outcome=outcome, **base,
                territorial_scope=scope if outcome is Outcome.GEO_RESTRICT else [],
                explanation=f"{spec.title} from {req.country}, reference {req.reference or req.id}",
                idempotency_key=f"authority:{req.id}:{t['id']}:{outcome.value}", target_external_id=t["external_id"],
                action_params={"request_id": req.id, "request_type": req.request_type, "order": req.reference,
                               "notify_uploader": req.notify_user,
                               "notify_uploader_not_before": req.notify_user_not_before.isoformat()
                               if req.notify_user_not_before else None}))
    expires = now + timedelta(days=spec.preserve_days) if spec.preserve_days else None
    if expires is not None and req.kind in (Kind.ACT.value, Kind.PRESERVATION.value):
        for t in req.targets:
            inputs.append(DecisionInput(
                subject_type=t["type"], subject_id=t["id"], outcome=Outcome.PRESERVE, **base,
                explanation=f"preserved until {expires.date().isoformat()} for {spec.legal_text}",
                idempotency_key=f"authority:{req.id}:{t['id']}:preserve", target_external_id=t["external_id"],
                action_params={"request_id": req.id, "until": expires.isoformat(), "legal_basis": spec.legal_text}))
            session.add(Preservation(request_id=req.id, subject_type=t["type"], subject_id=t["id"],
                                     snapshot=snapshot(session, t["type"], t["id"]), legal_basis=spec.legal_text,
                                     preserved_at=now, expires_at=expires))
    session.flush()  # snapshots read the subjects before decide_many changes their status
    results = decide_many(session, inputs)
    req.decision_ids = [*req.decision_ids, *(r.decision.id for r in results)]
    return results


def expire_preservations(session: Session, actor: str = "system:preservation") -> int:
    """Release preservations past their expiry (the snapshot is dropped); returns how many."""
    now = utcnow()
    rows = session.execute(select(Preservation).where(Preservation.status == "active",
                                                      Preservation.expires_at <= now)).scalars().all()
    for p in rows:
        p.status, p.snapshot = "expired", {}
        record(session, actor, "system", "preservation.expired", "preservation", p.id, request_id=p.request_id)
    return len(rows)
