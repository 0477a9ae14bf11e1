"""Banks over HTTP: list, add a signal, import a CSV or plain list, export, quarantine a signal."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Query
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field
from sqlalchemy import select

from poise.api.deps import DbSession, requires
from poise.audit import record
from poise.auth.principal import Principal
from poise.auth.roles import ADMINS, SENIOR_MODERATORS, STAFF
from poise.core.errors import NotFound, Unprocessable
from poise.screening.bank_files import bank_summaries, clean_signal, export_csv, import_csv, import_plain
from poise.screening.banks import add_signal
from poise.screening.models import Bank, BankSignal
from poise.taxonomy import CATEGORIES

router = APIRouter(prefix="/api/v1/banks", tags=["banks"])
MAX_IMPORT_BYTES = 20 * 1024 * 1024


class SignalIn(BaseModel):
    signal_type: str = Field(description="pdq, sha256, md5, keyword, regex, url or domain")
    value: str = Field(min_length=1, max_length=2000)
    category: str = Field(description="Taxonomy category, used if the bank is created by this call")
    tags: list[str] = Field(default_factory=list, max_length=50)
    source_ref: str | None = Field(None, max_length=200, description="Case, notice or feed the signal comes from")


class SignalOut(BaseModel):
    id: str
    bank: str
    signal_type: str
    value: str
    status: str


class ImportOut(BaseModel):
    added: int
    already_present: int
    rejected: list[dict[str, Any]]


def _category(value: str) -> str:
    if value not in CATEGORIES:
        raise Unprocessable(f"unknown category {value!r}", code="unknown_category")
    return value


@router.get("", summary="Banks with their category, policy and signal counts")
def list_banks(session: DbSession, principal: Principal = requires(STAFF)) -> list[dict[str, Any]]:
    return bank_summaries(session)


@router.post("/{bank}/signals", status_code=201, response_model=SignalOut, summary="Add one signal to a bank")
def add_bank_signal(bank: str, body: SignalIn, session: DbSession,
                    principal: Principal = requires(SENIOR_MODERATORS)) -> SignalOut:
    value = clean_signal(body.signal_type, body.value)
    signal = add_signal(session, bank=bank, signal_type=body.signal_type, value=value,
                        category=_category(body.category), actor=principal.actor, actor_role=principal.role.value,
                        tags=body.tags, source_ref=body.source_ref)
    return SignalOut(id=signal.id, bank=bank, signal_type=signal.signal_type, value=signal.value, status=signal.status)


@router.post("/{bank}/import", response_model=ImportOut, summary="Import a ThreatExchange/HMA CSV or a plain list")
def import_bank(bank: str, session: DbSession, body: str = Body(..., media_type="text/plain"),
                category: str = Query(..., description="Taxonomy category of the bank"),
                format: str = Query("csv", pattern="^(csv|plain)$"),
                signal_type: str | None = Query(None, description="Signal type of a plain list"),
                principal: Principal = requires(ADMINS)) -> ImportOut:
    if len(body) > MAX_IMPORT_BYTES:
        raise Unprocessable("import larger than 20 MiB: split it", code="import_too_large")
    _category(category)
    if format == "csv":
        result = import_csv(session, bank=bank, category=category, text=body, actor=principal.actor,
                            actor_role=principal.role.value)
    else:
        if not signal_type:
            raise Unprocessable("a plain list needs signal_type", code="missing_signal_type")
        result = import_plain(session, bank=bank, category=category, signal_type=signal_type, text=body,
                              actor=principal.actor, actor_role=principal.role.value)
    return ImportOut(added=result.added, already_present=result.already_present,
                     rejected=[{"line": line, "reason": reason} for line, reason in result.rejected])


@router.get("/{bank}/export.csv", response_class=PlainTextResponse, summary="A bank as ThreatExchange/HMA CSV")
def export_bank(bank: str, session: DbSession, principal: Principal = requires(SENIOR_MODERATORS)) -> str:
    text = export_csv(session, bank)
    record(session, principal.actor, principal.role.value, "bank.exported", "bank", None, bank=bank)
    return text


@router.post("/signals/{signal_id}/quarantine", response_model=SignalOut,
             summary="Stop matching a signal that causes false positives (reversible)")
def quarantine_signal(signal_id: str, session: DbSession, release: bool = Query(False),
                      reason: str = Query(..., min_length=3, max_length=500),
                      principal: Principal = requires(SENIOR_MODERATORS)) -> SignalOut:
    signal = session.get(BankSignal, signal_id)
    if signal is None:
        raise NotFound(f"no signal {signal_id}")
    signal.status = "active" if release else "quarantined"
    bank = session.execute(select(Bank.name).where(Bank.id == signal.bank_id)).scalar_one()
    record(session, principal.actor, principal.role.value,
           "bank.signal_released" if release else "bank.signal_quarantined", "bank_signal", signal_id,
           bank=bank, reason=reason)
    return SignalOut(id=signal.id, bank=bank, signal_type=signal.signal_type, value=signal.value, status=signal.status)
