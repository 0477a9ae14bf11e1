"""Statements of reasons (DSA Art. 17): one to the affected user and one to each notifier, for every
restriction, with the facts, the ground, whether automated means were used, and the ways to contest it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from poise.actions.vocabulary import Ground
from poise.cases.models import Notice, StatementOfReasons
from poise.store.models import Decision
from poise.taxonomy import CATEGORIES

RESTRICTION_LABELS = {
    "remove": "removal of the content", "disable": "disabling access to the content",
    "demote": "demotion of the content", "age_restrict": "age restriction of the content",
    "geo_restrict": "restriction of the content in some countries", "ban_channel": "ban of the channel",
    "suspend_account": "suspension of the account", "terminate_account": "termination of the account",
    "no_action": "no action", "restore": "restoration of the content",
}


def redress_options(decision: Decision, appeal_window: timedelta) -> list[dict[str, str]]:
    """The ways to contest a decision (Art. 17(3)(f)): internal complaint, out-of-court body, court."""
    deadline = (decision.created_at + appeal_window).date().isoformat()
    return [
        {"kind": "internal_complaint", "how": f"Appeal through your notice's status page or the platform by "
                                              f"{deadline} (DSA Art. 20; decided by a different reviewer)."},
        {"kind": "out_of_court_settlement", "how": "Refer the dispute to a certified out-of-court dispute "
                                                   "settlement body (DSA Art. 21)."},
        {"kind": "judicial_redress", "how": "Bring the matter before a court of competent jurisdiction."},
    ]


def _facts(decision: Decision, notices: list[Notice]) -> str:
    category = CATEGORIES.get(decision.category or "")
    what = category.label.lower() if category else "a violation"
    origin = (f"{len(notices)} notice(s), including from a trusted flagger"
              if any(n.notifier_type == "trusted_flagger" for n in notices)
              else f"{len(notices)} notice(s)") if notices else "our own detection"
    text = f"Following {origin}, the content was reviewed and found to be {what}."
    return f"{text} {decision.explanation}".strip() if decision.explanation else text


def write_statements(session: Session, decision: Decision, notices: list[Notice], *,
                     appeal_window: timedelta, affected_user: bool = True) -> list[StatementOfReasons]:
    """Store the statements for a decision: to the affected user (if any) and to each notifier."""
    ground = decision.ground or Ground.TERMS.value
    reference = decision.legal_reference or decision.policy
    common = dict(decision_id=decision.id, case_id=decision.case_id,
                  restriction=RESTRICTION_LABELS.get(decision.outcome, decision.outcome),
                  facts=_facts(decision, notices), ground=ground, legal_or_terms_reference=reference,
                  automated_detection=decision.automated_detection, automated_decision=decision.automated_decision,
                  redress=redress_options(decision, appeal_window))
    statements = [StatementOfReasons(recipient="affected_user", **common)] if affected_user else []
    statements += [StatementOfReasons(recipient="notifier", notice_id=n.id, **common) for n in notices]
    session.add_all(statements)
    session.flush()
    return statements
