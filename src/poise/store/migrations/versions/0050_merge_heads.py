"""merge the screening/webhooks and authority branches

Revision ID: 0050_merge
Revises: 0042_webhooks, 0030_authority
Create Date: 2026-11-25 02:40:00
"""

from collections.abc import Sequence

revision: str = "0050_merge"
down_revision: str | Sequence[str] | None = ("0042_webhooks", "0030_authority")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing to change: this revision joins two branches into one head."""


def downgrade() -> None:
    """Nothing to change."""
