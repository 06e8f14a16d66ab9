"""bookkeeping for the set-based import pipeline

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

Reserved for the import work (issue 10); empty until it lands.
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
