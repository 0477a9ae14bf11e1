"""The closed vocabularies of decisions and actions."""

from __future__ import annotations

import enum


class Outcome(enum.StrEnum):
    """What a decision does to its subject."""

    REMOVE = "remove"
    DISABLE = "disable"
    DEMOTE = "demote"
    AGE_RESTRICT = "age_restrict"
    LABEL = "label"
    GEO_RESTRICT = "geo_restrict"
    BAN_CHANNEL = "ban_channel"
    SUSPEND_ACCOUNT = "suspend_account"
    TERMINATE_ACCOUNT = "terminate_account"
    PRESERVE = "preserve"
    RESTORE = "restore"
    WITHDRAW_COUNTRY = "withdraw_country"
    RETURN_COUNTRY = "return_country"
    ESCALATE = "escalate"
    NO_ACTION = "no_action"
    REFUSE = "refuse"


class DecisionSource(enum.StrEnum):
    """How the problem was detected / who asked (feeds the transparency report's 'how detected')."""

    HASH_MATCH = "automated_hash_match"
    RULE = "automated_rule"
    CLASSIFIER = "automated_classifier"
    USER_NOTICE = "user_notice"
    TRUSTED_FLAGGER = "trusted_flagger"
    AUTHORITY_ORDER = "authority_order"
    OWN_INITIATIVE = "own_initiative"
    APPEAL = "appeal"
    POLICY = "policy"


class Ground(enum.StrEnum):
    """DSA Art. 17(3)(d)/(e): illegal under a law, or incompatible with the terms and conditions."""

    ILLEGAL = "illegal_content"
    TERMS = "incompatible_content"


class AutomatedDecision(enum.StrEnum):
    """DSA statement-of-reasons ``automated_decision`` values, short form."""

    FULLY = "fully"
    PARTIALLY = "partially"
    NOT = "not_automated"


class ActionKind(enum.StrEnum):
    """What the platform is told to do."""

    REMOVE_CONTENT = "remove_content"
    DISABLE_CONTENT = "disable_content"
    DEMOTE_CONTENT = "demote_content"
    AGE_RESTRICT_CONTENT = "age_restrict_content"
    LABEL_CONTENT = "label_content"
    RESTORE_CONTENT = "restore_content"
    GEO_RESTRICT = "geo_restrict"
    BAN_CHANNEL = "ban_channel"
    RESTORE_CHANNEL = "restore_channel"
    SUSPEND_ACCOUNT = "suspend_account"
    TERMINATE_ACCOUNT = "terminate_account"
    REINSTATE_ACCOUNT = "reinstate_account"
    PRESERVE = "preserve"
    WITHDRAW_COUNTRY = "withdraw_country"
    RETURN_COUNTRY = "return_country"


# outcome -> (action kind per subject type, new subject status per subject type)
_ACTION_BY_OUTCOME: dict[Outcome, dict[str, ActionKind]] = {
    Outcome.REMOVE: {"content": ActionKind.REMOVE_CONTENT, "media": ActionKind.REMOVE_CONTENT,
                     "channel": ActionKind.BAN_CHANNEL, "account": ActionKind.TERMINATE_ACCOUNT},
    Outcome.DISABLE: {"content": ActionKind.DISABLE_CONTENT, "media": ActionKind.DISABLE_CONTENT},
    Outcome.DEMOTE: {"content": ActionKind.DEMOTE_CONTENT},
    Outcome.AGE_RESTRICT: {"content": ActionKind.AGE_RESTRICT_CONTENT},
    Outcome.LABEL: {"content": ActionKind.LABEL_CONTENT},
    Outcome.GEO_RESTRICT: {"content": ActionKind.GEO_RESTRICT, "channel": ActionKind.GEO_RESTRICT,
                           "account": ActionKind.GEO_RESTRICT},
    Outcome.BAN_CHANNEL: {"channel": ActionKind.BAN_CHANNEL},
    Outcome.SUSPEND_ACCOUNT: {"account": ActionKind.SUSPEND_ACCOUNT},
    Outcome.TERMINATE_ACCOUNT: {"account": ActionKind.TERMINATE_ACCOUNT},
    Outcome.PRESERVE: {"content": ActionKind.PRESERVE, "channel": ActionKind.PRESERVE,
                       "account": ActionKind.PRESERVE, "media": ActionKind.PRESERVE},
    Outcome.RESTORE: {"content": ActionKind.RESTORE_CONTENT, "media": ActionKind.RESTORE_CONTENT,
                      "channel": ActionKind.RESTORE_CHANNEL, "account": ActionKind.REINSTATE_ACCOUNT},
    Outcome.WITHDRAW_COUNTRY: {"country": ActionKind.WITHDRAW_COUNTRY},
    Outcome.RETURN_COUNTRY: {"country": ActionKind.RETURN_COUNTRY},
}

_STATUS_BY_ACTION: dict[ActionKind, str] = {
    ActionKind.REMOVE_CONTENT: "removed",
    ActionKind.DISABLE_CONTENT: "disabled",
    ActionKind.DEMOTE_CONTENT: "demoted",
    ActionKind.AGE_RESTRICT_CONTENT: "age_restricted",
    ActionKind.GEO_RESTRICT: "geo_restricted",
    ActionKind.RESTORE_CONTENT: "visible",
    ActionKind.BAN_CHANNEL: "banned",
    ActionKind.RESTORE_CHANNEL: "active",
    ActionKind.SUSPEND_ACCOUNT: "suspended",
    ActionKind.TERMINATE_ACCOUNT: "terminated",
    ActionKind.REINSTATE_ACCOUNT: "active",
}

RESTRICTIVE_OUTCOMES = frozenset(_ACTION_BY_OUTCOME) - {Outcome.RESTORE, Outcome.RETURN_COUNTRY, Outcome.PRESERVE}


def action_for(outcome: Outcome, subject_type: str) -> ActionKind | None:
    """The platform action an outcome implies for a subject type (None: nothing to tell the platform)."""
    return _ACTION_BY_OUTCOME.get(outcome, {}).get(subject_type)


def status_after(kind: ActionKind) -> str | None:
    """The subject's status once the action is taken (None: unchanged)."""
    return _STATUS_BY_ACTION.get(kind)
