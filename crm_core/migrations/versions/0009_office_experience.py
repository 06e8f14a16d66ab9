"""customer merges and reminders

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06

Reserved for the desktop experience work (issue 13); empty until it lands.
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
