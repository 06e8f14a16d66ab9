"""import batches (批量导入) and the records each created, for undo

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa
import crm_core.db.types


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('import_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('module', sa.String(length=40), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('created_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('undone_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('undone_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_import_batches_created_by_id_users')),
    sa.ForeignKeyConstraint(['undone_by_id'], ['users.id'], name=op.f('fk_import_batches_undone_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_batches')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_batches_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_import_batches_module'), ['module'], unique=False)

    op.create_table('import_batch_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batches.id'], name=op.f('fk_import_batch_records_batch_id_import_batches'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_batch_records')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('import_batch_records', schema=None) as batch_op:
        batch_op.create_index('ix_import_batch_records_batch_id', ['batch_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('import_batch_records', schema=None) as batch_op:
        batch_op.drop_index('ix_import_batch_records_batch_id')
    op.drop_table('import_batch_records')
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_batches_module'))
        batch_op.drop_index(batch_op.f('ix_import_batches_created_by_id'))
    op.drop_table('import_batches')
