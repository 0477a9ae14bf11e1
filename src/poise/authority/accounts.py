"""Authority accounts: public registration, verification by an admin, and the API key issued on verification.

A verified authority is tied to one country (jurisdiction) and one agency; its key has role ``authority``
and ``subject_id`` = the authority's id, which is how every request it sends is attributed and isolated.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from poise.audit import record
from poise.auth.keys import IssuedKey, create_key
from poise.auth.principal import Principal
from poise.auth.roles import Role
from poise.authority.models import AuthorityRegistration
from poise.core.clock import utcnow
from poise.core.errors import Conflict, NotFound, Unprocessable
from poise.store.models import Authority, Jurisdiction


@dataclass
class RegistrationInput:
    jurisdiction_code: str
    name: str
    agency: str
    kind: str
    contact_name: str
    contact_email: str
    justification: str | None = None


def register(session: Session, inp: RegistrationInput, principal: Principal) -> AuthorityRegistration:
    """Record an application (the authority exists, unverified, until an admin decides)."""
    j = session.get(Jurisdiction, inp.jurisdiction_code)
    if j is None:
        raise Unprocessable(f"no jurisdiction {inp.jurisdiction_code}", code="unknown_jurisdiction")
    if j.service_status == "withdrawn":
        raise Conflict(f"the service has withdrawn from {j.code}", code="country_withdrawn")
    authority = Authority(jurisdiction_code=j.code, name=inp.name, agency=inp.agency, kind=inp.kind,
                          contact_email=inp.contact_email, verified=False)
    session.add(authority)
    session.flush()
    reg = AuthorityRegistration(authority_id=authority.id, contact_name=inp.contact_name,
                                contact_email=inp.contact_email, justification=inp.justification)
    session.add(reg)
    session.flush()
    record(session, principal.actor, principal.role.value, "authority.registration_received",
           "authority_registration", reg.id, authority_id=authority.id, jurisdiction=j.code, agency=inp.agency)
    return reg


def _pending(session: Session, registration_id: str) -> tuple[AuthorityRegistration, Authority]:
    reg = session.get(AuthorityRegistration, registration_id)
    if reg is None:
        raise NotFound(f"no registration {registration_id}", code="unknown_registration")
    if reg.status != "pending":
        raise Conflict(f"the registration is already {reg.status}", code="registration_decided")
    authority = session.get(Authority, reg.authority_id)
    assert authority is not None
    return reg, authority


def verify(session: Session, registration_id: str, principal: Principal, jurisdiction_code: str | None = None,
           agency: str | None = None, note: str | None = None) -> tuple[Authority, IssuedKey]:
    """Verify an authority (optionally correcting its country or agency) and issue its API key."""
    reg, authority = _pending(session, registration_id)
    if jurisdiction_code:
        if session.get(Jurisdiction, jurisdiction_code) is None:
            raise Unprocessable(f"no jurisdiction {jurisdiction_code}", code="unknown_jurisdiction")
        authority.jurisdiction_code = jurisdiction_code
    if agency:
        authority.agency = agency
    now = utcnow()
    authority.verified, authority.verified_at, authority.verified_by = True, now, principal.actor
    reg.status, reg.decided_by, reg.decided_at, reg.decision_note = "verified", principal.actor, now, note
    key = create_key(session, name=f"authority: {authority.name}"[:200], role=Role.AUTHORITY,
                     subject_id=authority.id, created_by=principal)
    record(session, principal.actor, principal.role.value, "authority.verified", "authority", authority.id,
           registration_id=reg.id, jurisdiction=authority.jurisdiction_code, agency=authority.agency,
           key_id=key.id)
    return authority, key


def reject(session: Session, registration_id: str, principal: Principal, note: str) -> AuthorityRegistration:
    """Turn an application down (the authority stays unverified and gets no key)."""
    reg, authority = _pending(session, registration_id)
    reg.status, reg.decided_by, reg.decided_at, reg.decision_note = "rejected", principal.actor, utcnow(), note
    record(session, principal.actor, principal.role.value, "authority.registration_rejected",
           "authority_registration", reg.id, authority_id=authority.id, note=note)
    return reg
