"""The authenticated caller."""

from __future__ import annotations

from dataclasses import dataclass

from poise.auth.roles import Role


@dataclass(frozen=True)
class Principal:
    """Who is calling: a key (id, name, role, optional subject such as an authority id) or anonymous."""

    key_id: str | None
    name: str
    role: Role
    subject_id: str | None = None

    @property
    def actor(self) -> str:
        """How the audit log names this caller."""
        return f"key:{self.key_id}" if self.key_id else "anonymous"

    @property
    def is_anonymous(self) -> bool:
        return self.key_id is None


ANONYMOUS = Principal(key_id=None, name="anonymous", role=Role.PUBLIC)
SYSTEM = Principal(key_id=None, name="system", role=Role.ADMIN)
