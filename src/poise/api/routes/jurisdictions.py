"""Jurisdictions, their authorities and legal instruments: configured data, public to read."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path
from sqlalchemy import select

from poise.api.deps import DbSession, public, requires
from poise.api.pagination import Page, PageParams, paginate
from poise.api.schemas import (
    JURISDICTION,
    AuthorityIn,
    AuthorityOut,
    JurisdictionIn,
    JurisdictionOut,
    LegalInstrumentIn,
    LegalInstrumentOut,
)
from poise.audit import record
from poise.auth.principal import Principal
from poise.auth.roles import ADMINS, LEGAL
from poise.core.errors import NotFound
from poise.store.models import Authority, Jurisdiction, LegalInstrument

router = APIRouter(prefix="/api/v1", tags=["jurisdictions"])
CodePath = Path(pattern=JURISDICTION, description="ISO 3166-1 alpha-2 code, or EU")


def _jurisdiction(session: DbSession, code: str) -> Jurisdiction:
    found = session.get(Jurisdiction, code)
    if found is None:
        raise NotFound(f"no jurisdiction {code}", code="unknown_jurisdiction")
    return found


@router.get("/jurisdictions", response_model=list[JurisdictionOut], summary="All configured jurisdictions")
def list_jurisdictions(session: DbSession, principal: Principal = public()) -> list[JurisdictionOut]:
    rows = session.execute(select(Jurisdiction).order_by(Jurisdiction.code)).scalars().all()
    return [JurisdictionOut.model_validate(j) for j in rows]


@router.get("/jurisdictions/{code}", response_model=JurisdictionOut, summary="One jurisdiction")
def get_jurisdiction(session: DbSession, code: str = CodePath, principal: Principal = public()) -> JurisdictionOut:
    return JurisdictionOut.model_validate(_jurisdiction(session, code))


@router.put("/jurisdictions/{code}", response_model=JurisdictionOut, summary="Create or update a jurisdiction")
def put_jurisdiction(body: JurisdictionIn, session: DbSession, code: str = CodePath,
                     principal: Principal = requires(ADMINS)) -> JurisdictionOut:
    found = session.get(Jurisdiction, code)
    if found is None:
        found = Jurisdiction(code=code, **body.model_dump())
        session.add(found)
    else:
        for k, v in body.model_dump().items():
            setattr(found, k, v)
    session.flush()
    record(session, principal.actor, principal.role.value, "jurisdiction.configured", "jurisdiction", code,
           **body.model_dump())
    return JurisdictionOut.model_validate(found)


@router.get("/jurisdictions/{code}/instruments", response_model=list[LegalInstrumentOut],
            summary="Legal instruments accepted from a jurisdiction")
def list_instruments(session: DbSession, code: str = CodePath,
                     principal: Principal = public()) -> list[LegalInstrumentOut]:
    _jurisdiction(session, code)
    rows = session.execute(select(LegalInstrument).where(LegalInstrument.jurisdiction_code == code)
                           .order_by(LegalInstrument.code)).scalars().all()
    return [LegalInstrumentOut.model_validate(r) for r in rows]


@router.put("/jurisdictions/{code}/instruments", response_model=LegalInstrumentOut,
            summary="Create or update a legal instrument")
def put_instrument(body: LegalInstrumentIn, session: DbSession, code: str = CodePath,
                   principal: Principal = requires(ADMINS)) -> LegalInstrumentOut:
    _jurisdiction(session, code)
    found = session.execute(select(LegalInstrument).where(LegalInstrument.jurisdiction_code == code,
                                                          LegalInstrument.code == body.code)).scalar_one_or_none()
    if found is None:
        found = LegalInstrument(jurisdiction_code=code, **body.model_dump())
        session.add(found)
    else:
        for k, v in body.model_dump().items():
            setattr(found, k, v)
    session.flush()
    record(session, principal.actor, principal.role.value, "legal_instrument.configured", "legal_instrument",
           found.id, jurisdiction=code, code=body.code)
    return LegalInstrumentOut.model_validate(found)


@router.get("/authorities", response_model=Page[AuthorityOut], summary="Registered authorities")
def list_authorities(session: DbSession, page: PageParams = Depends(),
                     principal: Principal = requires(ADMINS, LEGAL)) -> Page[AuthorityOut]:
    return paginate(session, select(Authority), Authority.id, page, AuthorityOut.model_validate)


@router.post("/authorities", status_code=201, response_model=AuthorityOut, summary="Register an authority")
def create_authority(body: AuthorityIn, session: DbSession,
                     principal: Principal = requires(ADMINS)) -> AuthorityOut:
    _jurisdiction(session, body.jurisdiction_code)
    authority = Authority(**body.model_dump())
    session.add(authority)
    session.flush()
    record(session, principal.actor, principal.role.value, "authority.registered", "authority", authority.id,
           jurisdiction=body.jurisdiction_code, agency=body.agency)
    return AuthorityOut.model_validate(authority)
