"""Who is calling: roles, hashed API keys and the per-endpoint role requirement."""

from poise.auth.principal import Principal
from poise.auth.roles import Role

__all__ = ["Principal", "Role"]
