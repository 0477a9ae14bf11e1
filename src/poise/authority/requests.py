"""Authority requests: intake from a verified authority, policy evaluation, routing, human review, closing.

Every request goes through :func:`evaluate_request` (audited with the full rule trace) before anything is
executed or disclosed, and again whenever a reviewer moves it on. The audit entries the transparency
report reads are written here: ``authority_request.received`` at intake and ``authority_request.closed``
when the request ends (complied, partly complied or refused).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from poise.audit import record
from poise.auth.principal import Principal
from poise.auth.roles import Role
from poise.authority import deadlines
from poise.authority.execution import execute
from poise.authority.models import AuthorityRequest
from poise.authority.policy import Evaluation, InstrumentFacts, RequestFacts, TargetFacts, evaluate, load_policy
from poise.authority.vocabulary import (
    FORBIDDEN_DATA,
    ISSUER_TYPES,
    JUDICIAL_ISSUERS,
    OPEN_STATUSES,
    REQUESTABLE_DATA,
    Kind,
    Status,
    kind_of,
    request_type,
)
from poise.core.clock import as_utc, utcnow
from poise.core.errors import Conflict, Forbidden, NotFound, Unprocessable
from poise.store.models import Authority, Channel, ContentItem, Jurisdiction, LegalInstrument, PlatformAccount

ENGINE_ACTOR = ("system:policy-engine", "system")
TARGET_MODELS: dict[str, Any] = {"content": ContentItem, "channel": Channel, "account": PlatformAccount}
STAFF_ROLES = (Role.LEGAL_OFFICER, Role.ADMIN)


@dataclass
class TargetRef:
    """How a request names a target: Poise id, platform (external) id, or an account handle."""

    type: str
    id: str | None = None
    external_id: str | None = None
    handle: str | None = None


@dataclass
class SubmitInput:
    """The structured fields of a request."""

    request_type: str
    targets: list[TargetRef] = field(default_factory=list)
    reference: str | None = None
    instrument: str | None = None
    legal_basis: str | None = None
    issuer_type: str = "police"
    judicial_authorisation: dict[str, Any] = field(default_factory=dict)
    category: str | None = None
    action: str | None = None
    data_categories: list[str] = field(default_factory=list)
    scope: str = "targeted"
    description: str | None = None
    emergency: bool = False
    notify_delay_weeks: int = 0


# --- who is asking ------------------------------------------------------------------------------------------

def authority_of(session: Session, principal: Principal) -> Authority:
    """The verified authority an ``authority`` key acts for (403 if the key is not tied to one)."""
    authority = session.get(Authority, principal.subject_id) if principal.subject_id else None
    if authority is None:
        raise Forbidden("this key is not tied to a registered authority", code="authority_not_linked")
    if not authority.verified:
        raise Forbidden("the authority is not verified yet", code="authority_not_verified")
    return authority


def visible_requests(session: Session, principal: Principal) -> Select[AuthorityRequest]:
    """Requests the caller may see: an authority only its own, legal officers and admins all."""
    stmt = select(AuthorityRequest)
    if principal.role is Role.AUTHORITY:
        stmt = stmt.where(AuthorityRequest.authority_id == authority_of(session, principal).id)
    elif principal.role not in STAFF_ROLES:
        raise Forbidden("only authorities and legal staff see requests", code="role_forbidden")
    return stmt


def get_request(session: Session, principal: Principal, request_id: str) -> AuthorityRequest:
    """One request the caller may see; another authority's request is 'not found', never 'forbidden'."""
    req = session.execute(visible_requests(session, principal).where(AuthorityRequest.id == request_id)
                          ).scalar_one_or_none()
    if req is None:
        raise NotFound(f"no request {request_id}", code="unknown_request")
    return req


# --- facts for the policy engine ----------------------------------------------------------------------------

def resolve_target(session: Session, ref: TargetRef) -> dict[str, Any]:
    """The Poise id and platform id of a target, or 422."""
    model = TARGET_MODELS.get(ref.type)
    if model is None:
        raise Unprocessable(f"a target is content, channel or account, not {ref.type!r}", code="invalid_target")
    found = None
    if ref.id:
        found = session.get(model, ref.id)
    elif ref.external_id:
        found = session.execute(select(model).where(model.external_id == ref.external_id)).scalar_one_or_none()
    elif ref.handle and ref.type == "account":
        found = session.execute(select(PlatformAccount).where(PlatformAccount.handle == ref.handle)
                                ).scalars().first()
    else:
        raise Unprocessable("a target needs an id, an external_id or (accounts) a handle", code="invalid_target")
    if found is None:
        name = ref.id or ref.external_id or ref.handle
        raise Unprocessable(f"unknown {ref.type} {name!r}", code="unknown_target")
    return {"type": ref.type, "id": found.id, "external_id": found.external_id}


def _target_facts(session: Session, target: dict[str, Any]) -> TargetFacts:
    kind, tid = target["type"], target["id"]
    if kind == "account":
        acct = session.get(PlatformAccount, tid)
        return TargetFacts(kind, tid, acct.country if acct else None,
                           " ".join(filter(None, [acct.handle, acct.display_name])) if acct else "")
    if kind == "channel":
        chan = session.get(Channel, tid)
        if chan is None:
            return TargetFacts(kind, tid, None)
        owner = session.get(PlatformAccount, chan.owner_id) if chan.owner_id else None
        posts = session.execute(select(ContentItem.text).where(ContentItem.channel_id == tid)
                                .order_by(ContentItem.id.desc()).limit(20)).scalars().all()
        return TargetFacts(kind, tid, chan.country or (owner.country if owner else None),
                           "\n".join(filter(None, [chan.title, *posts])))
    item = session.get(ContentItem, tid)
    if item is None:
        return TargetFacts(kind, tid, None)
    chan = session.get(Channel, item.channel_id) if item.channel_id else None
    author = session.get(PlatformAccount, item.author_id) if item.author_id else None
    country = (chan.country if chan else None) or (author.country if author else None)
    return TargetFacts(kind, tid, country, "\n".join(filter(None, [chan.title if chan else None, item.text])))


def find_instrument(session: Session, jurisdiction: Jurisdiction, type_code: str,
                    code: str | None) -> LegalInstrument | None:
    """The instrument a request relies on: the one it names (if configured for the country or, for Member
    States, the EU), else the only one covering its type. Several candidates and none named: 422."""
    codes = [jurisdiction.code, *(["EU"] if jurisdiction.is_eu_member and jurisdiction.code != "EU" else [])]
    candidates = session.execute(select(LegalInstrument).where(LegalInstrument.jurisdiction_code.in_(codes))
                                 .order_by(LegalInstrument.code)).scalars().all()
    if code:
        return next((i for i in candidates if i.code == code), None)
    covering = [i for i in candidates if type_code in i.request_types]
    if len(covering) > 1:
        raise Unprocessable(f"several instruments cover {type_code}; name one of "
                            f"{', '.join(i.code for i in covering)}", code="instrument_ambiguous")
    return covering[0] if covering else None


def eu_countries(session: Session) -> frozenset[str]:
    return frozenset(session.execute(select(Jurisdiction.code).where(Jurisdiction.is_eu_member.is_(True))).scalars())


def build_facts(session: Session, req: AuthorityRequest) -> RequestFacts:
    """Everything the policy engine needs about a stored request, read fresh from the database."""
    authority = session.get(Authority, req.authority_id)
    jurisdiction = session.get(Jurisdiction, req.country)
    ins = None
    if jurisdiction is not None and req.instrument_code:
        found = find_instrument(session, jurisdiction, req.request_type, req.instrument_code)
        if found is not None:
            ins = InstrumentFacts(found.code, found.jurisdiction_code, found.title, tuple(found.request_types),
                                  tuple(found.data_categories), found.requires_judicial_authorisation)
    return RequestFacts(
        request_type=req.request_type, kind=req.kind, country=req.country,
        country_is_eu=bool(jurisdiction and (jurisdiction.is_eu_member or jurisdiction.code == "EU")),
        tier=jurisdiction.rule_of_law_tier if jurisdiction else 3,
        service_status=jurisdiction.service_status if jurisdiction else "unknown",
        authority_verified=bool(authority and authority.verified and authority.jurisdiction_code == req.country),
        instrument=ins, instrument_code=req.instrument_code, data_categories=list(req.data_categories),
        issuer_type=req.issuer_type, judicially_authorised=bool(req.judicial_authorisation),
        scope=req.scope, targets=[_target_facts(session, t) for t in req.targets],
        text="\n".join(filter(None, [req.description, req.legal_basis])),
        emergency=req.emergency, received_on=as_utc(req.received_at).date(),
        eu_countries=eu_countries(session), review_level=req.review_level)


# --- evaluate, route, close ---------------------------------------------------------------------------------

def evaluate_request(session: Session, req: AuthorityRequest, actor: str = ENGINE_ACTOR[0],
                     actor_role: str = ENGINE_ACTOR[1]) -> Evaluation:
    """Run the policy engine over a request; store and audit the outcome with the whole rule trace."""
    ev = evaluate(build_facts(session, req))
    req.policy_outcome, req.principles = ev.outcome, ev.principles
    req.policy_trace, req.allowed_categories = ev.trace_dicts(), ev.allowed_categories
    record(session, actor, actor_role, "authority_request.evaluated", "authority_request", req.id,
           request_id=req.id, outcome=ev.outcome, principles=ev.principles, policy_version=ev.version,
           review_level=req.review_level, allowed_categories=ev.allowed_categories, trace=ev.trace_dicts())
    return ev


def close(session: Session, req: AuthorityRequest, outcome: str, principles: list[str], actor: str,
          actor_role: str) -> None:
    """End a request (complied, partly_complied or refused) with the entry the transparency report reads."""
    if outcome not in ("complied", "partly_complied", "refused"):
        raise ValueError(outcome)
    now = utcnow()
    req.status, req.outcome, req.closed_at = outcome, outcome, now
    req.principles = principles
    record(session, actor, actor_role, "authority_request.closed", "authority_request", req.id,
           request_id=req.id, country=req.country, request_type=req.request_type, outcome=outcome,
           principles=principles, handling_seconds=round((now - as_utc(req.received_at)).total_seconds(), 3))


def route(session: Session, req: AuthorityRequest, ev: Evaluation, actor: str, actor_role: str) -> None:
    """Move a freshly evaluated request on: refuse, execute, await disclosure, or wait for a reviewer."""
    if ev.outcome == "refuse":
        close(session, req, "refused", ev.principles, *ENGINE_ACTOR)
        return
    if ev.outcome == "escalate":
        req.status = Status.ESCALATED.value
        return
    if ev.outcome == "needs_review":
        req.status = Status.NEEDS_REVIEW.value
        return
    spec = request_type(req.request_type)
    assert spec is not None
    if req.kind == Kind.INFORMATION.value:
        req.status = Status.AWAITING_DISCLOSURE.value  # disclosures always take two people
    elif spec.auto_execute or req.review_level > 0:
        automated = req.review_level == 0
        who = ("system:authority-orders", "system") if automated else (actor, actor_role)
        execute(session, req, spec, eu_countries(session), *who, automated=automated)
        close(session, req, "complied", [], *who)
    else:
        req.status = Status.NEEDS_REVIEW.value  # passes the policy, but this type is carried out by a person


def submit(session: Session, principal: Principal, inp: SubmitInput) -> AuthorityRequest:
    """Accept a request from the caller's verified authority: validate, acknowledge, evaluate, route."""
    authority = authority_of(session, principal)
    spec = request_type(inp.request_type)
    if spec is None:
        raise Unprocessable(f"unknown request type {inp.request_type!r}", code="unknown_request_type")
    kind = kind_of(spec, inp.action)
    if inp.issuer_type not in ISSUER_TYPES:
        raise Unprocessable(f"issuer_type is one of {', '.join(ISSUER_TYPES)}", code="invalid_issuer_type")
    unknown = [c for c in inp.data_categories if c not in REQUESTABLE_DATA]
    if unknown:
        raise Unprocessable(f"unknown data categories {unknown}; use {', '.join(REQUESTABLE_DATA)}",
                            code="invalid_data_category")
    if not inp.targets and inp.scope != "bulk" and not set(inp.data_categories) & set(FORBIDDEN_DATA):
        raise Unprocessable("a request names at least one target (account, channel or content)",
                            code="missing_targets")
    if kind is Kind.INFORMATION and not inp.data_categories:
        raise Unprocessable("an information request names the data categories it asks for",
                            code="missing_data_categories")
    action = inp.action or ("remove" if kind is Kind.ACT else None)
    if kind is Kind.ACT and action not in ("remove", "geo_restrict"):
        raise Unprocessable("action is remove or geo_restrict", code="invalid_action")
    if inp.notify_delay_weeks > spec.max_notify_delay_weeks:
        raise Unprocessable(f"{spec.code} allows delaying the user notification by at most "
                            f"{spec.max_notify_delay_weeks} weeks", code="notify_delay_too_long")
    jurisdiction = session.get(Jurisdiction, authority.jurisdiction_code)
    if jurisdiction is None:
        raise Conflict("the authority's country is not configured", code="unknown_jurisdiction")
    targets = [resolve_target(session, t) for t in inp.targets]
    instrument = find_instrument(session, jurisdiction, spec.code, inp.instrument)
    hours = deadlines.deadline_hours(spec, instrument.deadline_hours if instrument else None,
                                     instrument.emergency_deadline_hours if instrument else None, inp.emergency)
    now = utcnow()
    judicial = dict(inp.judicial_authorisation)
    if inp.issuer_type in JUDICIAL_ISSUERS and not judicial:
        judicial = {"issued_by": inp.issuer_type}
    req = AuthorityRequest(
        authority_id=authority.id, country=jurisdiction.code, request_type=spec.code, kind=kind.value,
        reference=inp.reference, instrument_code=instrument.code if instrument else inp.instrument,
        legal_basis=inp.legal_basis, issuer_type=inp.issuer_type, judicial_authorisation=judicial,
        category=inp.category or ("terrorism" if spec.code == "tco_removal_order" else None), action=action,
        data_categories=list(dict.fromkeys(inp.data_categories)), scope=inp.scope, targets=targets,
        description=inp.description, emergency=inp.emergency, notify_user=spec.notify_user,
        notify_user_not_before=now + timedelta(weeks=inp.notify_delay_weeks) if inp.notify_delay_weeks else None,
        status=Status.NEEDS_REVIEW.value, received_at=now, acknowledged_at=now,
        due_at=deadlines.due_at(now, hours))
    session.add(req)
    session.flush()
    record(session, principal.actor, principal.role.value, "authority_request.received", "authority_request",
           req.id, request_id=req.id, country=req.country, request_type=req.request_type,
           authority_id=authority.id, category=req.category, items=max(len(targets), 1),
           acknowledged_seconds=0.0)
    ev = evaluate_request(session, req)
    route(session, req, ev, principal.actor, principal.role.value)
    return req


def review(session: Session, principal: Principal, req: AuthorityRequest, decision: str, note: str | None,
           principles: list[str] | None = None) -> AuthorityRequest:
    """A legal officer (or, for escalated requests, an admin) decides a request the engine held back.

    Refusing is always possible. Complying records the review and re-runs the engine, which still refuses
    anything a principle forbids; an escalated request needs a senior (admin) review.
    """
    if req.status not in OPEN_STATUSES:
        raise Conflict(f"the request is {req.status}", code="request_closed")
    level = 2 if principal.role is Role.ADMIN else 1
    known = load_policy().principles
    cited = list(principles or [])
    bad = [p for p in cited if p not in known]
    if bad:
        raise Unprocessable(f"unknown principles {bad}", code="unknown_principle")
    if decision not in ("comply", "refuse"):
        raise Unprocessable("decision is comply or refuse", code="invalid_decision")
    if decision == "comply" and req.status == Status.ESCALATED.value and level < 2:
        raise Forbidden("an escalated request needs a senior (admin) review", code="senior_review_required")
    if decision == "comply" and req.status == Status.AWAITING_DISCLOSURE.value:
        raise Conflict("the request awaits its disclosure; prepare and approve one", code="awaiting_disclosure")
    record(session, principal.actor, principal.role.value, "authority_request.reviewed", "authority_request",
           req.id, request_id=req.id, decision=decision, review_level=level, note=note, principles=cited)
    req.reviewed_by, req.review_note = principal.actor, note
    if decision == "refuse":
        close(session, req, "refused", list(dict.fromkeys([*req.principles, *cited])), principal.actor,
              principal.role.value)
        return req
    req.review_level = max(req.review_level, level)
    ev = evaluate_request(session, req, principal.actor, principal.role.value)
    route(session, req, ev, principal.actor, principal.role.value)
    return req
