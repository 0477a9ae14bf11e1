"""HTTP API of the authority front door: directory, registrations, requests, reviews, disclosures, geo.

Thin: validates, authenticates (every route declares its roles), calls the domain modules.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request
from sqlalchemy import select

from poise.api.deps import DbSession, public, requires
from poise.api.pagination import Page, PageParams, paginate
from poise.api.schemas import JURISDICTION, ActionOut, AuthorityOut
from poise.auth.principal import Principal
from poise.auth.roles import ADMINS, LEGAL, STAFF, Role
from poise.authority import accounts, deadlines, disclosures, geo, requests
from poise.authority.directory import build_directory
from poise.authority.models import AuthorityRegistration, AuthorityRequest, Disclosure
from poise.authority.policy import load_policy
from poise.authority.schemas import (
    ClockIn,
    CountryStatusOut,
    DisclosureOut,
    EscalationOut,
    GeoRestrictIn,
    PolicyOut,
    RegistrationIn,
    RegistrationOut,
    RejectIn,
    RequestIn,
    RequestOut,
    ReviewIn,
    TraceOut,
    VerifiedOut,
    VerifyIn,
    WithdrawIn,
)
from poise.authority.vocabulary import REQUEST_TYPES, Kind
from poise.core.errors import NotFound
from poise.store.models import Action

router = APIRouter(tags=["authority"])
AUTHORITY_OR_LEGAL = (Role.AUTHORITY, *LEGAL)
CodePath = Path(pattern=JURISDICTION, description="ISO 3166-1 alpha-2 code")


# --- public -------------------------------------------------------------------------------------------------

@router.get("/api/v1/directory", summary="Public directory: where and how authorities send requests, per country")
def directory(request: Request, session: DbSession, principal: Principal = public()) -> dict[str, Any]:
    return build_directory(session, request.app.state.settings.public_base_url)


@router.get("/.well-known/poise-authority-directory.json", summary="The directory at a well-known address")
def well_known_directory(request: Request, session: DbSession, principal: Principal = public()) -> dict[str, Any]:
    return build_directory(session, request.app.state.settings.public_base_url)


@router.get("/api/v1/authority/request-types", summary="Request types, their legal basis and deadlines")
def request_types(principal: Principal = public()) -> list[dict[str, Any]]:
    return [{**asdict(t), "kind": t.kind.value if t.kind else "act or information",
             "applicable_from": t.applicable_from.isoformat() if t.applicable_from else None}
            for t in REQUEST_TYPES.values()]


@router.get("/api/v1/authority/principles", summary="The principles and rules every request is evaluated against")
def principles(principal: Principal = public()) -> dict[str, Any]:
    policy = load_policy()
    return {"version": policy.version, "principles": policy.principles,
            "rules": [asdict(r) for r in policy.rules]}


@router.post("/api/v1/authority/registrations", status_code=201, response_model=RegistrationOut,
             summary="Apply for an authority account (verified by Poise before any key is issued)")
def register(body: RegistrationIn, session: DbSession, principal: Principal = public()) -> RegistrationOut:
    reg = accounts.register(session, accounts.RegistrationInput(**body.model_dump(mode="json")), principal)
    return RegistrationOut.model_validate(reg)


# --- registrations (admins) ---------------------------------------------------------------------------------

@router.get("/api/v1/authority/registrations", response_model=Page[RegistrationOut],
            summary="Applications for authority accounts")
def list_registrations(session: DbSession, page: PageParams = Depends(),
                       status: str | None = Query(None, pattern=r"^(pending|verified|rejected)$"),
                       principal: Principal = requires(LEGAL)) -> Page[RegistrationOut]:
    stmt = select(AuthorityRegistration)
    if status:
        stmt = stmt.where(AuthorityRegistration.status == status)
    return paginate(session, stmt, AuthorityRegistration.id, page, RegistrationOut.model_validate)


@router.post("/api/v1/authority/registrations/{registration_id}/verify", response_model=VerifiedOut,
             summary="Verify an authority and issue its API key (shown once)")
def verify_registration(registration_id: str, body: VerifyIn, session: DbSession,
                        principal: Principal = requires(ADMINS)) -> VerifiedOut:
    authority, key = accounts.verify(session, registration_id, principal, body.jurisdiction_code, body.agency,
                                     body.note)
    return VerifiedOut(authority=AuthorityOut.model_validate(authority), key_id=key.id, api_key=key.secret)


@router.post("/api/v1/authority/registrations/{registration_id}/reject", response_model=RegistrationOut,
             summary="Reject an application")
def reject_registration(registration_id: str, body: RejectIn, session: DbSession,
                        principal: Principal = requires(ADMINS)) -> RegistrationOut:
    return RegistrationOut.model_validate(accounts.reject(session, registration_id, principal, body.note))


# --- requests -----------------------------------------------------------------------------------------------

def request_out(session: DbSession, req: AuthorityRequest, principal: Principal) -> RequestOut:
    """A request as its authority or a legal officer sees it (with its actions and disclosure status)."""
    actions = session.execute(select(Action).where(Action.decision_id.in_(req.decision_ids)).order_by(Action.seq)
                              ).scalars().all() if req.decision_ids else []
    statuses = ("approved",) if principal.role is Role.AUTHORITY else ("prepared", "approved", "rejected")
    disclosure = session.execute(select(Disclosure).where(Disclosure.request_id == req.id,
                                                          Disclosure.status.in_(statuses))
                                 .order_by(Disclosure.prepared_at.desc())).scalars().first()
    trace = [TraceOut(**t) for t in req.policy_trace]
    return RequestOut(
        id=req.id, authority_id=req.authority_id, country=req.country, request_type=req.request_type,
        kind=req.kind, reference=req.reference, instrument=req.instrument_code, category=req.category,
        action=req.action, data_categories=req.data_categories, allowed_categories=req.allowed_categories,
        targets=req.targets, status=req.status, outcome=req.outcome,
        policy=PolicyOut(outcome=req.policy_outcome, principles=req.principles,
                         reasons=[f"{t.principle}: {t.reason}" for t in trace if t.result == "fail"], trace=trace),
        received_at=req.received_at, acknowledged_at=req.acknowledged_at, due_at=req.due_at,
        clock_paused=req.paused_at is not None, escalation_level=req.escalation_level, closed_at=req.closed_at,
        actions=[ActionOut.model_validate(a) for a in actions],
        disclosure={"id": disclosure.id, "status": disclosure.status, "sha256": disclosure.sha256,
                    "categories": disclosure.categories} if disclosure else None,
        end_to_end_encrypted_chats=disclosures.E2EE_NOTICE if req.kind == Kind.INFORMATION.value else None)


@router.post("/api/v1/authority/requests", status_code=201, response_model=RequestOut,
             summary="Submit an order or request (evaluated at once; TCO orders that pass are executed at once)")
def submit_request(body: RequestIn, session: DbSession, principal: Principal = requires(Role.AUTHORITY)) -> RequestOut:
    data = body.model_dump()
    inp = requests.SubmitInput(
        **{k: v for k, v in data.items() if k not in ("targets", "judicial_authorisation")},
        targets=[requests.TargetRef(**t) for t in data["targets"]],
        judicial_authorisation=data["judicial_authorisation"] or {})
    req = requests.submit(session, principal, inp)
    return request_out(session, req, principal)


@router.get("/api/v1/authority/requests", response_model=Page[RequestOut],
            summary="Requests: an authority sees its own, legal officers and admins all")
def list_requests(session: DbSession, page: PageParams = Depends(),
                  status: str | None = Query(None, max_length=30),
                  principal: Principal = requires(AUTHORITY_OR_LEGAL)) -> Page[RequestOut]:
    stmt = requests.visible_requests(session, principal)
    if status:
        stmt = stmt.where(AuthorityRequest.status == status)
    return paginate(session, stmt, AuthorityRequest.id, page, lambda r: request_out(session, r, principal))


@router.get("/api/v1/authority/requests/{request_id}", response_model=RequestOut, summary="One request")
def get_request(request_id: str, session: DbSession,
                principal: Principal = requires(AUTHORITY_OR_LEGAL)) -> RequestOut:
    return request_out(session, requests.get_request(session, principal, request_id), principal)


@router.post("/api/v1/authority/requests/{request_id}/review", response_model=RequestOut,
             summary="Comply or refuse a request the engine held back (escalated: admins)")
def review_request(request_id: str, body: ReviewIn, session: DbSession,
                   principal: Principal = requires(LEGAL)) -> RequestOut:
    req = requests.get_request(session, principal, request_id)
    requests.review(session, principal, req, body.decision, body.note, body.principles)
    return request_out(session, req, principal)


@router.post("/api/v1/authority/requests/{request_id}/clock", response_model=RequestOut,
             summary="Pause (clarification or force majeure) or resume a request's deadline")
def request_clock(request_id: str, body: ClockIn, session: DbSession,
                  principal: Principal = requires(LEGAL)) -> RequestOut:
    req = requests.get_request(session, principal, request_id)
    if body.action == "pause":
        deadlines.pause_clock(session, req, body.reason or "clarification", principal.actor, principal.role.value,
                              body.note)
    else:
        deadlines.resume_clock(session, req, principal.actor, principal.role.value)
    return request_out(session, req, principal)


@router.post("/api/v1/authority/deadlines/escalate", response_model=list[EscalationOut],
             summary="Escalate requests near or past their deadline now (also `poise authority deadlines`)")
def escalate(session: DbSession, principal: Principal = requires(LEGAL)) -> list[EscalationOut]:
    return [EscalationOut(**asdict(e)) for e in deadlines.escalate_due(session)]


# --- disclosures --------------------------------------------------------------------------------------------

@router.post("/api/v1/authority/requests/{request_id}/disclosures", status_code=201, response_model=DisclosureOut,
             summary="Prepare the minimal disclosure package (first of four eyes)")
def prepare_disclosure(request_id: str, session: DbSession, principal: Principal = requires(LEGAL)) -> DisclosureOut:
    req = requests.get_request(session, principal, request_id)
    return DisclosureOut.model_validate(disclosures.prepare(session, principal, req))


def _disclosure(session: DbSession, disclosure_id: str) -> Disclosure:
    found = session.get(Disclosure, disclosure_id)
    if found is None:
        raise NotFound(f"no disclosure {disclosure_id}", code="unknown_disclosure")
    return found


@router.post("/api/v1/authority/disclosures/{disclosure_id}/approve", response_model=RequestOut,
             summary="Approve a disclosure (a different officer than the one who prepared it) and deliver it")
def approve_disclosure(disclosure_id: str, session: DbSession, principal: Principal = requires(LEGAL)) -> RequestOut:
    req = disclosures.approve(session, principal, _disclosure(session, disclosure_id))
    return request_out(session, req, principal)


@router.post("/api/v1/authority/disclosures/{disclosure_id}/reject", response_model=DisclosureOut,
             summary="Send a prepared disclosure back")
def reject_disclosure(disclosure_id: str, body: RejectIn, session: DbSession,
                      principal: Principal = requires(LEGAL)) -> DisclosureOut:
    return DisclosureOut.model_validate(disclosures.reject(session, principal, _disclosure(session, disclosure_id),
                                                           body.note))


@router.get("/api/v1/authority/requests/{request_id}/disclosure",
            summary="The disclosure package with its SHA-256 (every read is audited)")
def read_disclosure(request_id: str, session: DbSession,
                    principal: Principal = requires(AUTHORITY_OR_LEGAL)) -> dict[str, Any]:
    return disclosures.read(session, principal, requests.get_request(session, principal, request_id))


# --- geo-restriction and withdrawal -------------------------------------------------------------------------

@router.get("/api/v1/geo", summary="Withdrawn countries and geo-restrictions")
def geo_status(session: DbSession, principal: Principal = requires(STAFF)) -> dict[str, Any]:
    return geo.status(session)


@router.post("/api/v1/geo/restrictions", status_code=201, summary="Withhold content, a channel or an account "
             "in given countries")
def geo_restrict(body: GeoRestrictIn, session: DbSession, principal: Principal = requires(LEGAL)) -> dict[str, Any]:
    result = geo.geo_restrict(session, principal, body.subject_type, body.subject_id, body.countries, body.reason,
                              body.legal_reference, body.request_id, body.category)
    return {"decision_id": result.decision.id, "created": result.created,
            "actions": [ActionOut.model_validate(a).model_dump(mode="json") for a in result.actions]}


@router.post("/api/v1/geo/withdrawals/{code}", response_model=CountryStatusOut,
             summary="Withdraw the whole service from a country (admins)")
def withdraw(body: WithdrawIn, session: DbSession, code: str = CodePath,
             principal: Principal = requires(ADMINS)) -> CountryStatusOut:
    j, result = geo.withdraw(session, principal, code, body.reason)
    return CountryStatusOut(code=j.code, service_status=j.service_status, withdrawn_at=j.withdrawn_at,
                            actions=[ActionOut.model_validate(a) for a in result.actions])


@router.post("/api/v1/geo/withdrawals/{code}/return", response_model=CountryStatusOut,
             summary="Return the service to a country it had withdrawn from (admins)")
def return_country(body: WithdrawIn, session: DbSession, code: str = CodePath,
                   principal: Principal = requires(ADMINS)) -> CountryStatusOut:
    j, result = geo.return_to(session, principal, code, body.reason)
    return CountryStatusOut(code=j.code, service_status=j.service_status, withdrawn_at=j.withdrawn_at,
                            actions=[ActionOut.model_validate(a) for a in result.actions])
