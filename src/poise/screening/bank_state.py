"""The in-memory view of all enabled banks that screening matches against, kept in step with the database.

Loading is incremental: signal ids are time-ordered (UUIDv7), so a refresh reads only signals newer than
the last one seen; a quarantined or removed signal, or a bank switched off, changes the active count
and triggers a full reload. A confirmed item's hash added to a bank is therefore matched from the next
screened batch on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from poise.screening.models import Bank, BankSignal
from poise.screening.pdq_index import PdqIndex
from poise.screening.text import HyperscanMatcher, TextPattern

TEXT_TYPES = ("keyword", "regex", "url", "domain")


@dataclass(frozen=True)
class BankedSignal:
    """A signal with its bank's name, category and polarity."""

    signal_id: str
    bank: str
    category: str
    signal_type: str
    value: str
    negative: bool


@dataclass
class BankState:
    """Indexes over every active signal of every enabled bank."""

    signals: dict[str, BankedSignal] = field(default_factory=dict)
    exact: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # (sha256|md5, value) -> signal ids
    pdq: PdqIndex = field(default_factory=PdqIndex)
    text: HyperscanMatcher | None = None
    text_ids: list[str] = field(default_factory=list)  # pattern id -> signal id
    last_id: str = ""
    active_count: int = 0

    def refresh(self, session: Session) -> None:
        """Bring the indexes up to date with the database (cheap when nothing changed)."""
        count, newest = session.execute(
            select(func.count(), func.max(BankSignal.id)).join(Bank, Bank.id == BankSignal.bank_id)
            .where(BankSignal.status == "active", Bank.enabled.is_(True))).one()
        count = int(count or 0)
        if count == self.active_count and (newest or "") == self.last_id:
            return
        newer = session.execute(
            select(func.count()).select_from(BankSignal).join(Bank, Bank.id == BankSignal.bank_id)
            .where(BankSignal.status == "active", Bank.enabled.is_(True), BankSignal.id > self.last_id)).scalar_one()
        if self.active_count + newer != count:  # something was removed or switched off: start again
            fresh = BankState()
            self.__dict__.update(fresh.__dict__)
        self._load(session)

    def _load(self, session: Session) -> None:
        rows = session.execute(
            select(BankSignal.id, Bank.name, Bank.category, BankSignal.signal_type, BankSignal.value, Bank.is_negative)
            .join(Bank, Bank.id == BankSignal.bank_id)
            .where(BankSignal.status == "active", Bank.enabled.is_(True), BankSignal.id > self.last_id)
            .order_by(BankSignal.id)).all()
        if not rows:
            return
        pdq_keys: list[str] = []
        pdq_values: list[str] = []
        text_changed = False
        for signal_id, bank, category, kind, value, negative in rows:
            self.signals[signal_id] = BankedSignal(signal_id, bank, category, kind, value, negative)
            if kind in ("sha256", "md5"):
                self.exact.setdefault((kind, value), []).append(signal_id)
            elif kind == "pdq":
                pdq_keys.append(signal_id)
                pdq_values.append(value)
            elif kind in TEXT_TYPES:
                text_changed = True
        self.pdq.add(pdq_keys, pdq_values)
        if len(pdq_keys) > 1000:
            self.pdq.optimize()  # a big load: sort it in now rather than search it by brute force
        if text_changed:
            self.text_ids = [s.signal_id for s in self.signals.values() if s.signal_type in TEXT_TYPES]
            self.text = HyperscanMatcher([TextPattern(i, self.signals[sid].signal_type, self.signals[sid].value)
                                          for i, sid in enumerate(self.text_ids)])
        self.last_id = rows[-1][0]
        self.active_count += len(rows)
