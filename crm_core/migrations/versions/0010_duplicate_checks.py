"""duplicate checks as you type (customer phone, credit code indexes) and customer merges

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa
import crm_core.db.types


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_customers_phone', 'customers', ['phone'], unique=False)
    op.create_index('ix_customers_credit_code', 'customers', ['credit_code'], unique=False)
    op.create_table('customer_merges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kept_id', sa.Integer(), nullable=False),
    sa.Column('merged_id', sa.Integer(), nullable=False),
    sa.Column('moved', sa.JSON(), nullable=False),
    sa.Column('at', crm_core.db.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('undone_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('undone_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_customer_merges_by_id_users')),
    sa.ForeignKeyConstraint(['kept_id'], ['customers.id'], name=op.f('fk_customer_merges_kept_id_customers')),
    sa.ForeignKeyConstraint(['merged_id'], ['customers.id'], name=op.f('fk_customer_merges_merged_id_customers')),
    sa.ForeignKeyConstraint(['undone_by_id'], ['users.id'], name=op.f('fk_customer_merges_undone_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_merges')),
    sqlite_autoincrement=True,
    )
    op.create_index(op.f('ix_customer_merges_kept_id'), 'customer_merges', ['kept_id'], unique=False)
    op.create_index(op.f('ix_customer_merges_merged_id'), 'customer_merges', ['merged_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_customer_merges_merged_id'), table_name='customer_merges')
    op.drop_index(op.f('ix_customer_merges_kept_id'), table_name='customer_merges')
    op.drop_table('customer_merges')
    op.drop_index('ix_customers_credit_code', table_name='customers')
    op.drop_index('ix_customers_phone', table_name='customers')
