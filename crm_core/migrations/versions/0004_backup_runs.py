"""the record of backup, verification and restore runs

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""
from alembic import op
import sqlalchemy as sa
import crm_core.db.types


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('backup_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('started_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('path', sa.String(length=1024), nullable=True),
    sa.Column('size_bytes', sa.BigInteger(), nullable=True),
    sa.Column('message', sa.JSON(), nullable=False),
    sa.Column('by_login', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_backup_runs')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('backup_runs', schema=None) as batch_op:
        batch_op.create_index('ix_backup_runs_started_at', ['started_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('backup_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_backup_runs_started_at')
    op.drop_table('backup_runs')
