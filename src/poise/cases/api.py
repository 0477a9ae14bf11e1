"""HTTP API of the cases context: notices, trusted flaggers, review, alerts, appeals, statements, misuse."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, EmailStr, Field
from sqlalchemy import select

from poise.actions.vocabulary import Ground, Outcome
from poise.api.deps import DbSession, public, requires
from poise.api.schemas import CaseOut
from poise.audit import record
from poise.auth.keys import create_key
from poise.auth.principal import Principal
from poise.auth.roles import ADMINS, MODERATORS, SENIOR_MODERATORS, STAFF, Role
from poise.cases import appeals, misuse, review
from poise.cases.models import Alert, Appeal, MisuseMeasure, Notice, StatementOfReasons, TrustedFlagger
from poise.cases.notices import NoticeInput, notice_by_token, submit_notice
from poise.core.clock import utcnow
from poise.core.errors import Forbidden, NotFound
from poise.store.models import Case, ContentItem, Decision, MediaItem

router = APIRouter(prefix="/api/v1", tags=["notices and review"])


class NoticeIn(BaseModel):
    """A notice under DSA Art. 16."""

    category: str = Field(description="Taxonomy category, e.g. drugs, csam, terrorism, scam")
    location: str = Field(min_length=1, max_length=2000, description="The post's platform id or its URL")
    explanation: str = Field(min_length=1, max_length=10_000, description="Why the content is illegal or "
                                                                           "against the terms")
    notifier_name: str | None = Field(None, max_length=300)
    notifier_email: EmailStr | None = None
    good_faith: bool = Field(description="I believe in good faith that the information is accurate and complete")
    urgent: bool = Field(False, description="Trusted flaggers: an imminent risk (raises an alert)")


class NoticeAck(BaseModel):
    notice_id: str
    tracking_token: str = Field(description="Keep it: it opens the notice's status page (shown once)")
    case_id: str
    status: str
    merged: bool
    decide_by: datetime | None


class StatementOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    decision_id: str
    recipient: str
    restriction: str
    facts: str
    ground: str
    legal_or_terms_reference: str | None
    automated_detection: bool
    automated_decision: str
    redress: list[dict[str, Any]]
    created_at: datetime


class AppealOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    decision_id: str
    appellant: str
    reason: str
    status: str
    result: str | None
    reasons: str | None
    created_at: datetime
    decided_at: datetime | None


class NoticeStatus(BaseModel):
    id: str
    category: str
    location: str
    status: str
    outcome: str | None
    received_at: datetime
    answered_at: datetime | None
    decision_id: str | None
    statements: list[StatementOut]
    appeals: list[AppealOut]


class AppealIn(BaseModel):
    reason: str = Field(min_length=1, max_length=10_000)


class PlatformAppealIn(AppealIn):
    decision_id: str = Field(min_length=1, max_length=36)


class AppealDecisionIn(BaseModel):
    reverse: bool
    reasons: str = Field(min_length=1, max_length=10_000)


class ReviewDecisionIn(BaseModel):
    case_ids: list[str] = Field(min_length=1, max_length=500)
    outcome: Outcome
    ground: Ground = Ground.ILLEGAL
    reference: str | None = Field(None, max_length=500, description="The law, or the terms clause")
    explanation: str | None = Field(None, max_length=10_000)
    category: str | None = Field(None, max_length=100)
    countries: list[str] = Field(default_factory=list, max_length=60)
    manifestly_unfounded: bool = False


class EscalateIn(BaseModel):
    note: str = Field(min_length=1, max_length=2000)


class FlaggerIn(BaseModel):
    name: str = Field(min_length=2, max_length=300)
    country: str | None = Field(None, max_length=8)
    expertise: list[str] = Field(default_factory=list, max_length=30)
    contact_email: EmailStr | None = None


class FlaggerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    name: str
    country: str | None
    expertise: list[str]
    active: bool


class FlaggerCreated(FlaggerOut):
    api_key: str = Field(description="The organisation's trusted-flagger API key (shown once)")


class AlertOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    kind: str
    case_id: str | None
    message: str
    acknowledged_at: datetime | None
    created_at: datetime


class MeasureOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    kind: str
    subject: str
    violations: int
    until: datetime | None
    lifted_at: datetime | None
    created_at: datetime


class LiftIn(BaseModel):
    reason: str = Field(min_length=3, max_length=2000)


def _window(request: Request) -> timedelta:
    return timedelta(days=request.app.state.settings.appeal_window_days)


def notice_status(session: Any, notice: Notice) -> NoticeStatus:
    """What a notifier may see about its notice."""
    decision = session.execute(select(Decision).where(Decision.case_id == notice.case_id)
                               .order_by(Decision.created_at)).scalars().first()
    statements = session.execute(select(StatementOfReasons).where(StatementOfReasons.notice_id == notice.id)
                                 ).scalars().all()
    notice_appeals = session.execute(select(Appeal).where(Appeal.notice_id == notice.id)).scalars().all()
    return NoticeStatus(id=notice.id, category=notice.category, location=notice.location, status=notice.status,
                        outcome=notice.outcome, received_at=notice.created_at, answered_at=notice.answered_at,
                        decision_id=decision.id if decision else None,
                        statements=[StatementOut.model_validate(s) for s in statements],
                        appeals=[AppealOut.model_validate(a) for a in notice_appeals])


@router.post("/notices", status_code=201, response_model=NoticeAck, summary="File a notice (DSA Art. 16)")
def post_notice(body: NoticeIn, session: DbSession, principal: Principal = public()) -> NoticeAck:
    flagger = None
    if principal.role is Role.TRUSTED_FLAGGER:
        flagger = session.get(TrustedFlagger, principal.subject_id) if principal.subject_id else None
        if flagger is None or not flagger.active:
            raise Forbidden("this key is not linked to an active trusted flagger", code="unknown_flagger")
    submitted = submit_notice(session, NoticeInput(**body.model_dump()), flagger=flagger, actor=principal.actor,
                              actor_role=principal.role.value)
    return NoticeAck(notice_id=submitted.notice.id, tracking_token=submitted.token, case_id=submitted.case.id,
                     status=submitted.notice.status, merged=submitted.merged, decide_by=submitted.case.due_at)


@router.get("/notices/{notice_id}", response_model=NoticeStatus, summary="A notice's status (with its token)")
def get_notice(notice_id: str, session: DbSession, token: str = Query(..., min_length=8, max_length=200),
               principal: Principal = public()) -> NoticeStatus:
    notice = notice_by_token(session, notice_id, token)
    if notice is None:
        raise NotFound("no notice with this id and token")
    return notice_status(session, notice)


@router.post("/notices/{notice_id}/appeal", status_code=201, response_model=AppealOut,
             summary="The notifier contests the decision on its notice (DSA Art. 20)")
def appeal_notice(notice_id: str, body: AppealIn, request: Request, session: DbSession,
                  token: str = Query(..., min_length=8, max_length=200),
                  principal: Principal = public()) -> AppealOut:
    notice = notice_by_token(session, notice_id, token)
    if notice is None:
        raise NotFound("no notice with this id and token")
    decision = session.execute(select(Decision).where(Decision.case_id == notice.case_id)
                               .order_by(Decision.created_at)).scalars().first()
    if decision is None:
        raise NotFound("the notice has no decision yet", code="not_decided")
    appeal = appeals.file_appeal(session, decision.id, appellant="notifier", reason=body.reason, notice=notice,
                                 appeal_window=_window(request), actor=principal.actor,
                                 actor_role=principal.role.value)
    return AppealOut.model_validate(appeal)


@router.post("/appeals", status_code=201, response_model=AppealOut,
             summary="The platform relays the affected user's complaint (DSA Art. 20)")
def platform_appeal(body: PlatformAppealIn, request: Request, session: DbSession,
                    principal: Principal = requires(Role.PLATFORM, Role.ADMIN)) -> AppealOut:
    appeal = appeals.file_appeal(session, body.decision_id, appellant="affected_user", reason=body.reason,
                                 notice=None, appeal_window=_window(request), actor=principal.actor,
                                 actor_role=principal.role.value)
    return AppealOut.model_validate(appeal)


@router.get("/appeals", response_model=list[AppealOut], summary="Appeals to decide")
def list_appeals(session: DbSession, status: str = Query("open", pattern="^(open|decided)$"),
                 principal: Principal = requires(MODERATORS)) -> list[AppealOut]:
    rows = session.execute(select(Appeal).where(Appeal.status == status).order_by(Appeal.created_at)
                           .limit(500)).scalars()
    return [AppealOut.model_validate(a) for a in rows]


@router.post("/appeals/{appeal_id}/decision", response_model=AppealOut,
             summary="Reverse or uphold (by someone other than the original decider)")
def decide_appeal(appeal_id: str, body: AppealDecisionIn, session: DbSession,
                  principal: Principal = requires(MODERATORS)) -> AppealOut:
    appeal = appeals.decide_appeal(session, appeal_id, reverse=body.reverse, reasons=body.reasons, by=principal)
    return AppealOut.model_validate(appeal)


@router.get("/review/queue", response_model=list[CaseOut], summary="Open cases, most urgent first")
def review_queue(session: DbSession, principal: Principal = requires(MODERATORS)) -> list[CaseOut]:
    include_escalated = principal.role in SENIOR_MODERATORS
    return [CaseOut.model_validate(c) for c in review.queue(session, include_escalated=include_escalated)]


@router.get("/review/cases/{case_id}", summary="A case with its content, media, notices and history (audited)")
def review_case(case_id: str, session: DbSession, principal: Principal = requires(MODERATORS)) -> dict[str, Any]:
    return case_view(session, case_id, principal)


def case_view(session: Any, case_id: str, principal: Principal) -> dict[str, Any]:
    """Everything a reviewer sees about a case; the read is audited."""
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"no case {case_id}")
    record(session, principal.actor, principal.role.value, "read.case", "case", case_id, purpose="review")
    content = session.get(ContentItem, case.subject_id) if case.subject_type == "content" else None
    media = session.execute(select(MediaItem).where(MediaItem.content_id == case.subject_id)).scalars().all()
    notices = session.execute(select(Notice).where(Notice.case_id == case_id).order_by(Notice.created_at)).scalars()
    decisions = session.execute(select(Decision).where(Decision.case_id == case_id)
                                .order_by(Decision.created_at)).scalars().all()
    screening = session.execute(select(Decision).where(  # what automated screening found about the subject
        Decision.subject_type == case.subject_type, Decision.subject_id == case.subject_id,
        Decision.rule_id.is_not(None)).order_by(Decision.created_at)).scalars().all()
    return {
        "case": CaseOut.model_validate(case).model_dump(mode="json"),
        "content": {"id": content.id, "external_id": content.external_id, "text": content.text,
                    "status": content.status, "channel_id": content.channel_id,
                    "author_id": content.author_id} if content else None,
        "media": [{"id": m.id, "mime_type": m.mime_type, "pdq": m.pdq, "pdq_quality": m.pdq_quality,
                   "sha256": m.sha256, "md5": m.md5} for m in media],
        "notices": [{"id": n.id, "category": n.category, "notifier_type": n.notifier_type, "urgent": n.urgent,
                     "explanation": n.explanation, "received_at": n.created_at.isoformat()} for n in notices],
        "decisions": [{"id": d.id, "outcome": d.outcome, "ground": d.ground, "category": d.category,
                       "decided_by": d.decided_by, "source": d.source, "created_at": d.created_at.isoformat()}
                      for d in decisions],
        "signals": [{"decision_id": d.id, "rule_id": d.rule_id, "source": d.source, "outcome": d.outcome,
                     "signal": d.signal, "created_at": d.created_at.isoformat()} for d in screening],
    }


@router.post("/review/decisions", summary="Decide one or more cases (bulk)")
def review_decide(body: ReviewDecisionIn, request: Request, session: DbSession,
                  principal: Principal = requires(MODERATORS)) -> dict[str, Any]:
    choice = review.ReviewDecision(outcome=body.outcome, ground=body.ground, reference=body.reference,
                                   explanation=body.explanation, category=body.category, countries=body.countries,
                                   manifestly_unfounded=body.manifestly_unfounded)
    decisions = review.decide_cases(session, body.case_ids, choice, principal,
                                    repeat_threshold=request.app.state.settings.repeat_infringer_threshold,
                                    appeal_window=_window(request))
    return {"decisions": [{"id": d.id, "case_id": d.case_id, "outcome": d.outcome} for d in decisions]}


@router.post("/review/cases/{case_id}/escalate", response_model=CaseOut, summary="Hand a case to senior moderators")
def review_escalate(case_id: str, body: EscalateIn, session: DbSession,
                    principal: Principal = requires(MODERATORS)) -> CaseOut:
    return CaseOut.model_validate(review.escalate(session, case_id, principal, body.note))


@router.get("/decisions/{decision_id}/statements", response_model=list[StatementOut],
            summary="Statements of reasons for a decision (DSA Art. 17)")
def statements(decision_id: str, session: DbSession,
               principal: Principal = requires(STAFF, Role.PLATFORM)) -> list[StatementOut]:
    rows = session.execute(select(StatementOfReasons).where(StatementOfReasons.decision_id == decision_id)).scalars()
    return [StatementOut.model_validate(s) for s in rows]


@router.post("/trusted-flaggers", status_code=201, response_model=FlaggerCreated,
             summary="Register a trusted flagger (DSA Art. 22) and issue its API key")
def add_flagger(body: FlaggerIn, session: DbSession, principal: Principal = requires(ADMINS)) -> FlaggerCreated:
    flagger = TrustedFlagger(**body.model_dump())
    session.add(flagger)
    session.flush()
    key = create_key(session, name=f"trusted flagger {body.name}", role=Role.TRUSTED_FLAGGER, subject_id=flagger.id,
                     created_by=principal)
    record(session, principal.actor, principal.role.value, "trusted_flagger.registered", "trusted_flagger",
           flagger.id, name=body.name)
    return FlaggerCreated(**FlaggerOut.model_validate(flagger).model_dump(), api_key=key.secret)


@router.get("/trusted-flaggers", response_model=list[FlaggerOut], summary="Trusted flaggers")
def list_flaggers(session: DbSession, principal: Principal = requires(STAFF)) -> list[FlaggerOut]:
    return [FlaggerOut.model_validate(f) for f in session.execute(select(TrustedFlagger)
                                                                  .order_by(TrustedFlagger.name)).scalars()]


@router.get("/alerts", response_model=list[AlertOut], summary="Alerts not yet acknowledged")
def list_alerts(session: DbSession, principal: Principal = requires(MODERATORS)) -> list[AlertOut]:
    rows = session.execute(select(Alert).where(Alert.acknowledged_at.is_(None)).order_by(Alert.created_at)).scalars()
    return [AlertOut.model_validate(a) for a in rows]


@router.post("/alerts/{alert_id}/ack", response_model=AlertOut, summary="Acknowledge an alert")
def ack_alert(alert_id: str, session: DbSession, principal: Principal = requires(MODERATORS)) -> AlertOut:
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise NotFound(f"no alert {alert_id}")
    alert.acknowledged_by, alert.acknowledged_at = principal.actor, alert.acknowledged_at or utcnow()
    record(session, principal.actor, principal.role.value, "alert.acknowledged", "alert", alert_id)
    return AlertOut.model_validate(alert)


@router.get("/misuse", response_model=list[MeasureOut], summary="Misuse measures (DSA Art. 23)")
def list_measures(session: DbSession, principal: Principal = requires(ADMINS)) -> list[MeasureOut]:
    rows = session.execute(select(MisuseMeasure).order_by(MisuseMeasure.created_at.desc()).limit(500)).scalars()
    return [MeasureOut.model_validate(m) for m in rows]


@router.post("/misuse/{measure_id}/lift", response_model=MeasureOut, summary="Lift a misuse measure after review")
def lift_measure(measure_id: str, body: LiftIn, session: DbSession,
                 principal: Principal = requires(ADMINS)) -> MeasureOut:
    measure = misuse.lift(session, measure_id, actor=principal.actor, actor_role=principal.role.value,
                          reason=body.reason)
    if measure is None:
        raise NotFound(f"no measure {measure_id}")
    return MeasureOut.model_validate(measure)
