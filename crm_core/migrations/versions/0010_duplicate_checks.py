"""indexes for the duplicate checks as you type (customer phone, credit code)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_customers_phone', 'customers', ['phone'], unique=False)
    op.create_index('ix_customers_credit_code', 'customers', ['credit_code'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_customers_credit_code', table_name='customers')
    op.drop_index('ix_customers_phone', table_name='customers')
