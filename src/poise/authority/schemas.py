"""Request and response bodies of the authority API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from poise.api.schemas import COUNTRY, JURISDICTION, ActionOut, AuthorityOut


class RegistrationIn(BaseModel):
    jurisdiction_code: str = Field(pattern=JURISDICTION, description="The authority's country (or EU)")
    name: str = Field(min_length=2, max_length=300, description="Authority, e.g. 'OFAC - PHAROS'")
    agency: str = Field(min_length=2, max_length=300, description="Ministry or body it belongs to")
    kind: Literal["law_enforcement", "prosecutor", "court", "regulator", "other"] = "law_enforcement"
    contact_name: str = Field(min_length=2, max_length=300)
    contact_email: EmailStr
    justification: str | None = Field(None, max_length=5000, description="Official channel to verify you")


class RegistrationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    authority_id: str
    contact_name: str
    contact_email: str
    status: str
    decided_at: datetime | None
    created_at: datetime


class VerifyIn(BaseModel):
    jurisdiction_code: str | None = Field(None, pattern=JURISDICTION, description="Correct the country")
    agency: str | None = Field(None, min_length=2, max_length=300, description="Correct the agency")
    note: str | None = Field(None, max_length=2000)


class VerifiedOut(BaseModel):
    authority: AuthorityOut
    key_id: str
    api_key: str = Field(description="Shown once: hand it to the authority over a verified channel")


class RejectIn(BaseModel):
    note: str = Field(min_length=1, max_length=2000)


class TargetIn(BaseModel):
    type: Literal["content", "channel", "account"]
    id: str | None = Field(None, max_length=36, description="Poise id")
    external_id: str | None = Field(None, max_length=200, description="The platform's id")
    handle: str | None = Field(None, max_length=200, description="Accounts only")


class JudicialIn(BaseModel):
    authorised_by: str = Field(min_length=1, max_length=300, description="Judge or court")
    reference: str | None = Field(None, max_length=200)
    date: str | None = Field(None, max_length=40)


class RequestIn(BaseModel):
    request_type: str = Field(min_length=3, max_length=60, description="See GET /api/v1/authority/request-types")
    reference: str | None = Field(None, max_length=200, description="Your own case or order number")
    instrument: str | None = Field(None, max_length=100, description="Legal instrument code (directory)")
    legal_basis: str | None = Field(None, max_length=5000, description="The legal basis, in your words")
    issuer_type: str = Field("police", max_length=40,
                             description="police, prosecutor, judge, court, administrative or regulator")
    judicial_authorisation: JudicialIn | None = None
    category: str | None = Field(None, max_length=100, description="e.g. terrorism, csam, drugs")
    action: Literal["remove", "geo_restrict"] | None = Field(None, description="For orders to act")
    data_categories: list[str] = Field(default_factory=list, max_length=10,
                                       description="subscriber, identification, traffic, content")
    scope: Literal["targeted", "bulk"] = "targeted"
    targets: list[TargetIn] = Field(default_factory=list, max_length=1000)
    description: str | None = Field(None, max_length=10_000)
    emergency: bool = False
    notify_delay_weeks: int = Field(0, ge=0, le=12, description="Delay informing the user (TCO: up to 6+6)")


class TraceOut(BaseModel):
    rule: str
    principle: str
    result: str
    outcome: str
    reason: str
    satisfied_by_review: bool = False


class PolicyOut(BaseModel):
    outcome: str | None
    principles: list[str]
    reasons: list[str]
    trace: list[TraceOut]


class RequestOut(BaseModel):
    id: str
    authority_id: str
    country: str
    request_type: str
    kind: str
    reference: str | None
    instrument: str | None
    category: str | None
    action: str | None
    data_categories: list[str]
    allowed_categories: list[str]
    targets: list[dict[str, Any]]
    status: str
    outcome: str | None
    policy: PolicyOut
    received_at: datetime
    acknowledged_at: datetime | None
    due_at: datetime | None
    clock_paused: bool
    escalation_level: int
    closed_at: datetime | None
    actions: list[ActionOut] = Field(default_factory=list)
    disclosure: dict[str, Any] | None = None
    end_to_end_encrypted_chats: str | None = None


class ReviewIn(BaseModel):
    decision: Literal["comply", "refuse"]
    note: str | None = Field(None, max_length=5000)
    principles: list[str] = Field(default_factory=list, max_length=20)


class ClockIn(BaseModel):
    action: Literal["pause", "resume"]
    reason: Literal["clarification", "force_majeure"] | None = None
    note: str | None = Field(None, max_length=2000)


class DisclosureOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    request_id: str
    status: str
    categories: list[str]
    sha256: str
    prepared_by: str
    prepared_at: datetime
    approved_by: str | None
    approved_at: datetime | None


class GeoRestrictIn(BaseModel):
    subject_type: Literal["content", "channel", "account"]
    subject_id: str = Field(min_length=1, max_length=36)
    countries: list[Annotated[str, Field(pattern=COUNTRY)]] = Field(min_length=1, max_length=250)
    reason: str = Field(min_length=1, max_length=5000)
    legal_reference: str | None = Field(None, max_length=500)
    request_id: str | None = Field(None, max_length=36)
    category: str | None = Field(None, max_length=100)


class WithdrawIn(BaseModel):
    reason: str = Field(min_length=1, max_length=5000)


class CountryStatusOut(BaseModel):
    code: str
    service_status: str
    withdrawn_at: datetime | None
    actions: list[ActionOut]


class EscalationOut(BaseModel):
    request_id: str
    request_type: str
    country: str
    level: int
    due_at: datetime
    remaining_seconds: float
