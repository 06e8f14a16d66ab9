"""a salesperson's pages sorted by name or newest first read from an index of his own rows

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06

(owner_id, name, id) and (owner_id, created_at, id) beside (owner_id, id): his
page in any of these orders reads exactly its rows, however his customers lie in
the table (records come in runs: walking ix_customers_created_at skipped 4,000
rows of other owners for one page at 200,000 customers).
"""
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_customers_owner_id_name_id', 'customers', ['owner_id', 'name', 'id'], unique=False)
    op.create_index('ix_customers_owner_id_created_at_id', 'customers', ['owner_id', 'created_at', 'id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_customers_owner_id_created_at_id', table_name='customers')
    op.drop_index('ix_customers_owner_id_name_id', table_name='customers')
