"""bookkeeping for the set-based import pipeline

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

An import now writes in chunks of short transactions: its batch is "running"
(host, pid, heartbeat) until it is "done", so one killed half-way is found and
rolled back on the next sign-in. Batch records say which module a record is in
(a customer's contact comes from the same row) and whether it was created or
updated (with the values before, for undo).
"""
from alembic import op
import sqlalchemy as sa
import crm_core.db.types


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', sa.String(length=12), server_default='done', nullable=False))
        batch_op.add_column(sa.Column('host', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('pid', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('heartbeat_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('updated', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_index(batch_op.f('ix_import_batches_state'), ['state'], unique=False)
    with op.batch_alter_table('import_batch_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('module', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('action', sa.String(length=10), server_default='create', nullable=False))
        batch_op.add_column(sa.Column('before', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('import_batch_records', schema=None) as batch_op:
        batch_op.drop_column('before')
        batch_op.drop_column('action')
        batch_op.drop_column('module')
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_batches_state'))
        batch_op.drop_column('updated')
        batch_op.drop_column('heartbeat_at')
        batch_op.drop_column('pid')
        batch_op.drop_column('host')
        batch_op.drop_column('state')
