"""The closed vocabularies of authority requests: request types (with their legal shape), data categories,
issuers, statuses. Jurisdictions and their instruments are configured data; these are the fixed shapes.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date


class Kind(enum.StrEnum):
    """What a request asks for."""

    ACT = "act"  # remove or restrict content
    INFORMATION = "information"  # disclose data
    PRESERVATION = "preservation"  # keep data for a later production order


class DataCategory(enum.StrEnum):
    """Data an authority may ask for (e-Evidence Art. 3(9)-(12) vocabulary)."""

    SUBSCRIBER = "subscriber"
    IDENTIFICATION = "identification"
    TRAFFIC = "traffic"
    CONTENT = "content"


FORBIDDEN_DATA = ("encryption_keys", "backdoor", "bulk_data")
"""Accepted in a request only so the policy engine can refuse it with the principle that forbids it."""

REQUESTABLE_DATA = tuple(c.value for c in DataCategory) + FORBIDDEN_DATA

ISSUER_TYPES = ("police", "prosecutor", "judge", "court", "administrative", "regulator")
JUDICIAL_ISSUERS = ("judge", "court")


class Status(enum.StrEnum):
    """Where a request stands."""

    NEEDS_REVIEW = "needs_review"
    ESCALATED = "escalated"
    AWAITING_DISCLOSURE = "awaiting_disclosure"
    COMPLIED = "complied"
    PARTLY_COMPLIED = "partly_complied"
    REFUSED = "refused"


OPEN_STATUSES = (Status.NEEDS_REVIEW.value, Status.ESCALATED.value, Status.AWAITING_DISCLOSURE.value)
CLOSED_OUTCOMES = ("complied", "partly_complied", "refused")


@dataclass(frozen=True)
class RequestType:
    """One request type: its legal shape, default deadline and what Poise does with it.

    ``data_categories`` None means "whatever the instrument allows". ``auto_execute``: a request that the
    policy engine passes without any review is carried out at intake (TCO: within the hour).
    """

    code: str
    title: str
    kind: Kind | None  # None: decided by the request (act if it names an action, else information)
    eu_only: bool
    deadline_hours: int
    legal_text: str
    emergency_deadline_hours: int | None = None
    instrument_required: bool = True
    data_categories: tuple[str, ...] | None = None
    auto_execute: bool = False
    preserve_days: int | None = None
    notify_user: bool = True
    max_notify_delay_weeks: int = 0
    applicable_from: date | None = None
    aliases: tuple[str, ...] = field(default_factory=tuple)


REQUEST_TYPES: dict[str, RequestType] = {t.code: t for t in [
    RequestType("dsa_order_to_act", "Order to act against illegal content (DSA Art. 9)", Kind.ACT, True, 24,
                "Regulation (EU) 2022/2065, Article 9", aliases=("dsa_art9_order",), max_notify_delay_weeks=6),
    RequestType("dsa_order_to_provide_information", "Order to provide information (DSA Art. 10)",
                Kind.INFORMATION, True, 240, "Regulation (EU) 2022/2065, Article 10",
                data_categories=("subscriber", "identification"), aliases=("dsa_art10_order",),
                max_notify_delay_weeks=6),
    RequestType("tco_removal_order", "Terrorist content removal order (TCO Art. 3)", Kind.ACT, True, 1,
                "Regulation (EU) 2021/784, Articles 3, 6 and 11", auto_execute=True, preserve_days=183,
                max_notify_delay_weeks=12),
    RequestType("eevidence_production_order", "European Production Order (e-Evidence)", Kind.INFORMATION, True,
                240, "Regulation (EU) 2023/1543, Articles 5 and 10", emergency_deadline_hours=8,
                data_categories=("subscriber", "identification", "traffic", "content"), notify_user=False,
                applicable_from=date(2026, 8, 18)),
    RequestType("eevidence_preservation_order", "European Preservation Order (e-Evidence)", Kind.PRESERVATION,
                True, 240, "Regulation (EU) 2023/1543, Articles 6 and 11", auto_execute=True, preserve_days=60,
                notify_user=False, applicable_from=date(2026, 8, 18)),
    RequestType("emergency_disclosure", "Emergency disclosure (imminent threat to life or of serious injury)",
                Kind.INFORMATION, False, 1, "Poise emergency disclosure policy", instrument_required=False,
                data_categories=("subscriber", "identification", "traffic"), notify_user=False),
    RequestType("non_eu_legal_process", "Legal process from outside the EU", None, False, 720,
                "The instrument configured for the requesting country"),
]}

ALIASES = {alias: t.code for t in REQUEST_TYPES.values() for alias in t.aliases}


def request_type(code: str) -> RequestType | None:
    """The request type for a code or alias (``dsa_art9_order`` is ``dsa_order_to_act``), else None."""
    return REQUEST_TYPES.get(ALIASES.get(code, code))


def kind_of(spec: RequestType, action: str | None) -> Kind:
    """The kind of a request of this type (``non_eu_legal_process`` is an act when it names an action)."""
    if spec.kind is not None:
        return spec.kind
    return Kind.ACT if action else Kind.INFORMATION


def timeline(hours: int) -> str:
    """A deadline for people: ``1 hour``, ``24 hours``, ``10 days``."""
    if hours % 24 == 0 and hours >= 48:
        return f"{hours // 24} days"
    return f"{hours} hour" + ("" if hours == 1 else "s")
