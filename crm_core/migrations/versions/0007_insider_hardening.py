"""database-side hardening against insiders

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06

No schema change: the hardening of issue 11 (triggers that set the actor, importer
and notice text; per-module custom-value policies; column-limited UPDATE grants;
session limits; fixed search paths) lives in crm_core.pgsecurity, which
``crm-admin db upgrade`` applies after every migration, so a server gets it with
the upgrade that brings this revision.
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
