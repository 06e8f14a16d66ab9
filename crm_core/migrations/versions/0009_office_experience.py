"""no schema change (the home page and reminders read existing tables)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06

Kept so the chain stays linear: the 工作台 and its reminders read what the modules already
store; customer merges got their table in 0010.
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
