"""The closed set of roles, and named groups of them that endpoints declare."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    """A caller's role. ``public`` is anyone, with or without a key."""

    PLATFORM = "platform"
    MODERATOR = "moderator"
    SENIOR_MODERATOR = "senior-moderator"
    LEGAL_OFFICER = "legal-officer"
    ADMIN = "admin"
    AUTHORITY = "authority"
    TRUSTED_FLAGGER = "trusted-flagger"
    PUBLIC = "public"

    @classmethod
    def parse(cls, value: str) -> Role:
        """Accept ``senior-moderator``, ``senior_moderator`` or ``SENIOR_MODERATOR``."""
        return cls(value.strip().lower().replace("_", "-"))


KEY_ROLES = tuple(r for r in Role if r is not Role.PUBLIC)
"""Roles an API key can carry."""

MODERATORS = (Role.MODERATOR, Role.SENIOR_MODERATOR, Role.ADMIN)
SENIOR_MODERATORS = (Role.SENIOR_MODERATOR, Role.ADMIN)
LEGAL = (Role.LEGAL_OFFICER, Role.ADMIN)
STAFF = (Role.MODERATOR, Role.SENIOR_MODERATOR, Role.LEGAL_OFFICER, Role.ADMIN)
ADMINS = (Role.ADMIN,)
