"""Disclosures to authorities: minimal data, four eyes, an integrity hash, and every read audited.

A legal officer prepares a package for a request the policy engine passed; a second, different legal
officer or an admin approves it; only then can the requesting authority read it. The package holds only
the fields of the data categories the legal basis allows (:data:`FIELDS`) and says explicitly that
end-to-end-encrypted chats are out of reach: Poise never receives them.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from poise.audit import record
from poise.audit.log import canonical_json
from poise.auth.principal import Principal
from poise.auth.roles import Role
from poise.authority.models import AuthorityRequest, Disclosure
from poise.authority.requests import close, evaluate_request
from poise.authority.vocabulary import Kind, Status
from poise.core.clock import utcnow
from poise.core.errors import Conflict, Forbidden, NotFound
from poise.store.models import Authority, Channel, ContentItem, PlatformAccount

E2EE_NOTICE = ("End-to-end-encrypted chats are out of reach by design: Poise never receives or stores them, "
               "so neither Poise nor anyone else can disclose them. This package holds only the data "
               "categories listed in 'categories'.")
FIELDS: dict[str, tuple[str, ...]] = {
    "subscriber": ("handle", "display_name", "registration_date", "country"),
    "identification": ("last_ip",),
    "traffic": ("last_ip",),
    "content": ("public_posts",),
}
"""What each data category discloses, and nothing else."""
MAX_POSTS = 1000


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _account_of(session: Session, target: dict[str, Any]) -> PlatformAccount | None:
    """The account a target leads to: itself, a post's author or a channel's owner."""
    if target["type"] == "account":
        return session.get(PlatformAccount, target["id"])
    if target["type"] == "content":
        item = session.get(ContentItem, target["id"])
        return session.get(PlatformAccount, item.author_id) if item and item.author_id else None
    chan = session.get(Channel, target["id"])
    return session.get(PlatformAccount, chan.owner_id) if chan and chan.owner_id else None


def subject_data(session: Session, acct: PlatformAccount, categories: list[str]) -> dict[str, Any]:
    """The fields of ``categories`` about one account, and only those."""
    out: dict[str, Any] = {}
    if "subscriber" in categories:
        registered = acct.registered_at or acct.created_at
        out["subscriber"] = {"handle": acct.handle, "display_name": acct.display_name,
                             "registration_date": registered.date().isoformat() if registered else None,
                             "country": acct.country}
    if "identification" in categories:
        out["identification"] = {"last_ip": acct.last_ip}
    if "traffic" in categories:
        out["traffic"] = {"last_ip": acct.last_ip,
                          "note": "Poise keeps no connection logs beyond the last IP address."}
    if "content" in categories:
        posts = session.execute(select(ContentItem).where(
            ContentItem.author_id == acct.id, ContentItem.is_public.is_(True)).order_by(ContentItem.id)
            .limit(MAX_POSTS)).scalars().all()
        out["content"] = {"public_posts": [
            {"external_id": p.external_id, "text": p.text,
             "published_at": (p.published_at or p.created_at).isoformat()} for p in posts]}
    return out


def build_package(session: Session, req: AuthorityRequest, categories: list[str], actor: str,
                  actor_role: str) -> dict[str, Any]:
    """The package for a request (each account read is audited)."""
    authority = session.get(Authority, req.authority_id)
    subjects: list[dict[str, Any]] = []
    for target in req.targets:
        acct = _account_of(session, target)
        entry: dict[str, Any] = {"target": {"type": target["type"], "external_id": target["external_id"]}}
        if acct is None:
            entry["found"] = False
        else:
            record(session, actor, actor_role, "read.platform_accounts", "platform_accounts", acct.id,
                   purpose=f"disclosure for authority request {req.id}", categories=categories)
            entry.update(found=True, **subject_data(session, acct, categories))
        subjects.append(entry)
    withheld = [c for c in real_categories_of(req) if c not in categories]
    return {
        "package": "poise-disclosure", "version": 1, "request_id": req.id, "reference": req.reference,
        "request_type": req.request_type, "legal_basis": req.instrument_code,
        "authority": {"id": req.authority_id, "name": authority.name if authority else None,
                      "agency": authority.agency if authority else None, "country": req.country},
        "categories": categories, "fields": {c: list(FIELDS[c]) for c in categories},
        "withheld_categories": withheld, "subjects": subjects,
        "end_to_end_encrypted_chats": {"available": False, "notice": E2EE_NOTICE},
        "prepared_at": utcnow().isoformat(),
    }


def real_categories_of(req: AuthorityRequest) -> list[str]:
    """The requested categories Poise could disclose at all (keys and bulk data never)."""
    return [c for c in req.data_categories if c in FIELDS]


def _require_passing(session: Session, req: AuthorityRequest, principal: Principal) -> None:
    if req.kind != Kind.INFORMATION.value:
        raise Conflict("only information requests lead to disclosures", code="not_an_information_request")
    if req.status != Status.AWAITING_DISCLOSURE.value:
        raise Conflict(f"the request is {req.status}, not awaiting a disclosure", code="not_awaiting_disclosure")
    ev = evaluate_request(session, req, principal.actor, principal.role.value)
    if ev.outcome != "comply":
        raise Conflict(f"the policy engine no longer passes this request ({ev.outcome})", code="policy_blocks",
                       details={"principles": ev.principles, "reasons": ev.reasons()})


def prepare(session: Session, principal: Principal, req: AuthorityRequest) -> Disclosure:
    """First pair of eyes: build the minimal package for a request the engine passes."""
    _require_passing(session, req, principal)
    pending = session.execute(select(Disclosure.id).where(Disclosure.request_id == req.id,
                                                          Disclosure.status.in_(("prepared", "approved")))).first()
    if pending is not None:
        raise Conflict("a disclosure for this request is already prepared", code="disclosure_exists")
    categories = list(req.allowed_categories)
    text = canonical_json(build_package(session, req, categories, principal.actor, principal.role.value))
    disclosure = Disclosure(request_id=req.id, categories=categories, package=text, sha256=sha256_of(text),
                            prepared_by=principal.actor, prepared_at=utcnow())
    session.add(disclosure)
    session.flush()
    record(session, principal.actor, principal.role.value, "disclosure.prepared", "disclosure", disclosure.id,
           request_id=req.id, categories=categories, sha256=disclosure.sha256)
    return disclosure


def approve(session: Session, principal: Principal, disclosure: Disclosure) -> AuthorityRequest:
    """Second pair of eyes (a different legal officer or an admin): release the package and close."""
    if disclosure.status != "prepared":
        raise Conflict(f"the disclosure is {disclosure.status}", code="disclosure_not_prepared")
    if disclosure.prepared_by == principal.actor:
        raise Forbidden("four eyes: the officer who prepared a disclosure cannot approve it",
                        code="four_eyes_required")
    req = session.get(AuthorityRequest, disclosure.request_id)
    assert req is not None
    _require_passing(session, req, principal)
    if sha256_of(disclosure.package) != disclosure.sha256:
        raise Conflict("the package no longer matches its hash", code="package_tampered")
    disclosure.status, disclosure.approved_by, disclosure.approved_at = "approved", principal.actor, utcnow()
    record(session, principal.actor, principal.role.value, "disclosure.approved", "disclosure", disclosure.id,
           request_id=req.id, prepared_by=disclosure.prepared_by, sha256=disclosure.sha256)
    full = set(disclosure.categories) >= set(real_categories_of(req))
    close(session, req, "complied" if full else "partly_complied", [] if full else ["P10-minimal-data"],
          principal.actor, principal.role.value)
    return req


def reject(session: Session, principal: Principal, disclosure: Disclosure, reason: str) -> Disclosure:
    """The second officer sends a package back; another can be prepared (or the request refused)."""
    if disclosure.status != "prepared":
        raise Conflict(f"the disclosure is {disclosure.status}", code="disclosure_not_prepared")
    disclosure.status, disclosure.rejected_reason = "rejected", reason
    record(session, principal.actor, principal.role.value, "disclosure.rejected", "disclosure", disclosure.id,
           request_id=disclosure.request_id, reason=reason)
    return disclosure


def current(session: Session, req: AuthorityRequest, principal: Principal) -> Disclosure:
    """The disclosure of a request the caller may read: authorities only once approved."""
    statuses = ("approved",) if principal.role is Role.AUTHORITY else ("approved", "prepared")
    found = session.execute(select(Disclosure).where(Disclosure.request_id == req.id,
                                                     Disclosure.status.in_(statuses))
                            .order_by(Disclosure.prepared_at.desc())).scalars().first()
    if found is None:
        raise NotFound("no disclosure available for this request", code="no_disclosure")
    return found


def read(session: Session, principal: Principal, req: AuthorityRequest) -> dict[str, Any]:
    """The package with its hash; every read is audited."""
    disclosure = current(session, req, principal)
    disclosure.read_count += 1
    record(session, principal.actor, principal.role.value, "disclosure.read", "disclosure", disclosure.id,
           request_id=req.id, sha256=disclosure.sha256, status=disclosure.status)
    return {"disclosure_id": disclosure.id, "status": disclosure.status, "sha256": disclosure.sha256,
            "approved_at": disclosure.approved_at.isoformat() if disclosure.approved_at else None,
            "package": json.loads(disclosure.package), "end_to_end_encrypted_chats": E2EE_NOTICE}
