"""Pydantic models of the core domain's API (requests and responses)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from poise.actions.vocabulary import DecisionSource, Ground, Outcome
from poise.auth.roles import Role

COUNTRY = r"^[A-Z]{2}$"
JURISDICTION = r"^([A-Z]{2}|EU)$"


class ORMModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class AccountIn(BaseModel):
    external_id: str = Field(min_length=1, max_length=200)
    handle: str | None = Field(None, max_length=200)
    display_name: str | None = Field(None, max_length=500)
    country: str | None = Field(None, pattern=COUNTRY)


class AccountOut(ORMModel):
    id: str
    external_id: str
    handle: str | None
    display_name: str | None
    country: str | None
    status: str
    created_at: datetime


class ChannelIn(BaseModel):
    external_id: str = Field(min_length=1, max_length=200)
    kind: str = Field("channel", pattern=r"^(channel|group)$")
    title: str | None = Field(None, max_length=500)
    owner_external_id: str | None = Field(None, max_length=200)
    is_public: bool = True
    country: str | None = Field(None, pattern=COUNTRY)


class ChannelOut(ORMModel):
    id: str
    external_id: str
    kind: str
    title: str | None
    owner_id: str | None
    is_public: bool
    country: str | None
    status: str
    created_at: datetime


class MediaOut(ORMModel):
    id: str
    mime_type: str | None
    sha256: str | None
    md5: str | None
    pdq: str | None
    pdq_quality: int | None


class ContentIn(BaseModel):
    external_id: str = Field(min_length=1, max_length=200)
    channel_external_id: str | None = Field(None, max_length=200)
    author_external_id: str | None = Field(None, max_length=200)
    kind: str = Field("post", pattern=r"^(post|message|comment)$")
    text: str | None = Field(None, max_length=100_000)
    language: str | None = Field(None, max_length=8)
    is_public: bool = True


class ContentOut(ORMModel):
    id: str
    external_id: str
    channel_id: str | None
    author_id: str | None
    kind: str
    text: str | None
    language: str | None
    is_public: bool
    status: str
    created_at: datetime


class JurisdictionIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    is_eu_member: bool = False
    rule_of_law_tier: int = Field(2, ge=1, le=3, description="1 strong rule of law ... 3 weak")
    point_of_contact: dict[str, Any] = Field(default_factory=dict)
    notes: str | None = Field(None, max_length=5000)


class JurisdictionOut(ORMModel):
    code: str
    name: str
    is_eu_member: bool
    rule_of_law_tier: int
    service_status: str
    withdrawn_at: datetime | None
    point_of_contact: dict[str, Any]


class AuthorityIn(BaseModel):
    jurisdiction_code: str = Field(pattern=JURISDICTION)
    name: str = Field(min_length=1, max_length=300)
    agency: str = Field(min_length=1, max_length=300)
    kind: str = Field("law_enforcement", max_length=40)
    contact_email: EmailStr | None = None


class AuthorityOut(ORMModel):
    id: str
    jurisdiction_code: str
    name: str
    agency: str
    kind: str
    contact_email: str | None
    verified: bool
    verified_at: datetime | None


class LegalInstrumentIn(BaseModel):
    code: str = Field(min_length=1, max_length=100)
    title: str = Field(min_length=1, max_length=500)
    request_types: list[str] = Field(default_factory=list)
    data_categories: list[str] = Field(default_factory=list)
    requires_judicial_authorisation: bool = False
    deadline_hours: int | None = Field(None, ge=0)
    emergency_deadline_hours: int | None = Field(None, ge=0)
    description: str | None = Field(None, max_length=5000)


class LegalInstrumentOut(ORMModel):
    id: str
    jurisdiction_code: str
    code: str
    title: str
    request_types: list[str]
    data_categories: list[str]
    requires_judicial_authorisation: bool
    deadline_hours: int | None
    emergency_deadline_hours: int | None


class CaseIn(BaseModel):
    subject_type: str = Field(pattern=r"^(content|channel|account|media)$")
    subject_id: str = Field(min_length=1, max_length=36)
    category: str | None = Field(None, max_length=100)
    priority: int = Field(50, ge=0, le=100, description="0 is most urgent")
    summary: str | None = Field(None, max_length=5000)
    due_at: datetime | None = None


class CaseUpdate(BaseModel):
    status: str | None = Field(None, pattern=r"^(open|in_review|escalated|decided|closed)$")
    assigned_to: str | None = Field(None, max_length=200)
    priority: int | None = Field(None, ge=0, le=100)


class CaseOut(ORMModel):
    id: str
    subject_type: str
    subject_id: str
    status: str
    priority: int
    category: str | None
    source: str
    summary: str | None
    assigned_to: str | None
    due_at: datetime | None
    created_at: datetime


class DecisionIn(BaseModel):
    subject_type: str = Field(pattern=r"^(content|channel|account|media)$")
    subject_id: str = Field(min_length=1, max_length=36)
    outcome: Outcome
    ground: Ground
    category: str | None = Field(None, max_length=100)
    legal_reference: str | None = Field(None, max_length=500)
    policy: str | None = Field(None, max_length=200)
    explanation: str = Field(min_length=1, max_length=10_000)
    territorial_scope: list[str] = Field(default_factory=list)
    case_id: str | None = None
    idempotency_key: str | None = Field(None, max_length=200)


class DecisionOut(ORMModel):
    id: str
    case_id: str | None
    subject_type: str
    subject_id: str
    outcome: str
    ground: str | None
    category: str | None
    legal_reference: str | None
    source: str
    automated_detection: bool
    automated_decision: str
    policy: str | None
    rule_id: str | None
    territorial_scope: list[str]
    explanation: str | None
    decided_by: str
    created_at: datetime


class ActionOut(ORMModel):
    id: str
    seq: int | None
    decision_id: str | None
    kind: str
    target_type: str
    target_id: str
    target_external_id: str | None
    params: dict[str, Any]
    status: str
    created_at: datetime


class DecisionWithActions(BaseModel):
    decision: DecisionOut
    actions: list[ActionOut]
    created: bool


class KeyIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    role: Role
    subject_id: str | None = Field(None, max_length=36, description="Authority or organisation the key acts for")


class KeyOut(ORMModel):
    id: str
    name: str
    role: str
    prefix: str
    subject_id: str | None
    created_at: datetime
    revoked_at: datetime | None


class IssuedKeyOut(BaseModel):
    id: str
    name: str
    role: Role
    subject_id: str | None
    secret: str = Field(description="Shown once; store it now")


class AuditEntryOut(ORMModel):
    seq: int
    id: str
    ts: datetime
    actor: str
    actor_role: str
    action: str
    subject_type: str | None
    subject_id: str | None
    details: str
    prev_hash: str
    entry_hash: str


class AuditVerifyOut(BaseModel):
    ok: bool
    entries: int
    head_hash: str
    problem: str | None
    at_seq: int | None


DECISION_SOURCES = [s.value for s in DecisionSource]
