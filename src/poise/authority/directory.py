"""The public directory: per country, where to send requests, what is accepted, on what legal basis, how to
authenticate and how fast Poise answers. Built from the configured jurisdictions, instruments and authorities.

EU Member States are served by the EU legal representative (DSA Art. 13), whose point of contact is the
``EU`` jurisdiction's; other countries use their own configured contact, else the global one.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from poise.authority.vocabulary import REQUEST_TYPES, timeline
from poise.core.clock import utcnow
from poise.store.models import Authority, Jurisdiction, LegalInstrument

GLOBAL_CONTACT: dict[str, Any] = {
    "entity": "Poise Platform legal team",
    "email": "legal-requests@poise.example",
    "portal": "/authority",
    "languages": ["en"],
}

AUTHENTICATION: dict[str, Any] = {
    "register": {"web": "/authority/register", "api": "POST /api/v1/authority/registrations"},
    "verification": "Poise's legal team verifies the agency and its country through an official channel; a "
                    "verified authority is tied to one country and one agency.",
    "credentials": "An API key (role 'authority') is issued on verification and shown once.",
    "use": "Send it as 'X-API-Key: <key>' or 'Authorization: Bearer <key>', or sign in at /login for the "
           "web portal.",
    "submit": {"web": "/authority", "api": "POST /api/v1/authority/requests"},
    "track": {"web": "/authority", "api": "GET /api/v1/authority/requests"},
}

WITHDRAWN_NOTE = "The service has withdrawn from this country; requests from it are not answered."


def _instrument(ins: LegalInstrument) -> dict[str, Any]:
    return {"code": ins.code, "issued_under": ins.jurisdiction_code, "title": ins.title,
            "request_types": list(ins.request_types), "data_categories": list(ins.data_categories),
            "requires_judicial_authorisation": ins.requires_judicial_authorisation,
            "deadline_hours": ins.deadline_hours, "emergency_deadline_hours": ins.emergency_deadline_hours}


def _accepted(j: Jurisdiction, instruments: list[LegalInstrument]) -> list[dict[str, Any]]:
    eu_state = j.is_eu_member or j.code == "EU"
    out: list[dict[str, Any]] = []
    for spec in REQUEST_TYPES.values():
        if spec.eu_only and not eu_state:
            continue
        covering = [i for i in instruments if spec.code in i.request_types]
        if spec.instrument_required and not covering:
            continue
        hours = min((i.deadline_hours for i in covering if i.deadline_hours), default=spec.deadline_hours)
        emergency = spec.emergency_deadline_hours or next(
            (i.emergency_deadline_hours for i in covering if i.emergency_deadline_hours), None)
        categories = sorted({c for i in covering for c in i.data_categories} if covering
                            else set(spec.data_categories or ()))
        if spec.data_categories is not None:
            categories = [c for c in categories if c in spec.data_categories]
        out.append({
            "type": spec.code, "aliases": list(spec.aliases), "title": spec.title, "legal_text": spec.legal_text,
            "required_instruments": [i.code for i in covering],
            "data_categories": categories,
            "expected_timeline": timeline(hours), "deadline_hours": hours,
            "emergency_deadline_hours": emergency,
            "automated_when_policy_passes": spec.auto_execute,
        })
    return out


def build_directory(session: Session, base_url: str = "") -> dict[str, Any]:
    """The whole directory as a JSON-ready dict (public: no personal data, no authority e-mail addresses)."""
    jurisdictions = session.execute(select(Jurisdiction).order_by(Jurisdiction.code)).scalars().all()
    instruments: dict[str, list[LegalInstrument]] = defaultdict(list)
    for ins in session.execute(select(LegalInstrument).order_by(LegalInstrument.code)).scalars():
        instruments[ins.jurisdiction_code].append(ins)
    verified: dict[str, list[dict[str, str]]] = defaultdict(list)
    for a in session.execute(select(Authority).where(Authority.verified.is_(True)).order_by(Authority.name)).scalars():
        verified[a.jurisdiction_code].append({"name": a.name, "agency": a.agency, "kind": a.kind})
    by_code = {j.code: j for j in jurisdictions}
    eu = by_code.get("EU")
    eu_contact = dict(eu.point_of_contact) if eu and eu.point_of_contact else None
    countries: list[dict[str, Any]] = []
    for j in jurisdictions:
        if j.code == "EU":
            continue
        applicable = instruments[j.code] + (instruments["EU"] if j.is_eu_member else [])
        if j.is_eu_member and eu_contact:
            contact, contact_role = eu_contact, "EU legal representative (DSA Art. 13)"
        elif j.point_of_contact:
            contact, contact_role = dict(j.point_of_contact), "point of contact"
        else:
            contact, contact_role = GLOBAL_CONTACT, "global legal team"
        withdrawn = j.service_status == "withdrawn"
        countries.append({
            "code": j.code, "name": j.name, "is_eu_member": j.is_eu_member,
            "service_status": j.service_status, "rule_of_law_tier": j.rule_of_law_tier,
            "point_of_contact": {**contact, "role": contact_role},
            "accepted_request_types": [] if withdrawn else _accepted(j, applicable),
            "legal_instruments": [_instrument(i) for i in applicable],
            "verified_authorities": verified[j.code],
            "how_to_authenticate": AUTHENTICATION,
            "notes": WITHDRAWN_NOTE if withdrawn else (
                "Every request is reviewed by a person before anything is done." if j.rule_of_law_tier >= 2
                else "Requests that pass the policy engine may be carried out automatically."),
        })
    return {
        "directory": "poise-authority-directory",
        "version": 1,
        "generated_at": utcnow().isoformat(),
        "base_url": base_url,
        "eu_legal_representative": eu_contact,
        "global_contact": GLOBAL_CONTACT,
        "how_to_authenticate": AUTHENTICATION,
        "request_types": [{"type": s.code, "aliases": list(s.aliases), "title": s.title,
                           "eu_only": s.eu_only, "default_deadline_hours": s.deadline_hours,
                           "expected_timeline": timeline(s.deadline_hours),
                           "emergency_deadline_hours": s.emergency_deadline_hours}
                          for s in REQUEST_TYPES.values()],
        "principles": "/api/v1/authority/principles",
        "countries": countries,
    }
