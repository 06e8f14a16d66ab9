"""the database-written audit trail

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25

The table only: its trigger function and triggers are part of the security
statements (crm_core.pgsecurity.audit_trail), applied after every upgrade of a
server set up with per-user logins. SQLite gets the table and no triggers.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
import crm_core.db.types


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    on_postgresql = op.get_bind().dialect.name == "postgresql"
    op.create_table('audit_trail',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('at', crm_core.db.types.UtcDateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'),
              nullable=False),
    sa.Column('actor', sa.String(length=63), server_default=sa.text('session_user') if on_postgresql else None,
              nullable=False),
    sa.Column('table_name', sa.String(length=63), nullable=False),
    sa.Column('row_id', sa.BigInteger(), nullable=True),
    sa.Column('op', sa.String(length=8), nullable=False),
    sa.Column('before', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=True),
    sa.Column('after', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_trail')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('audit_trail', schema=None) as batch_op:
        batch_op.create_index('ix_audit_trail_table_row', ['table_name', 'row_id'], unique=False)
        batch_op.create_index('ix_audit_trail_at', ['at'], unique=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS crm_audit_trail() CASCADE")
    with op.batch_alter_table('audit_trail', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_trail_at')
        batch_op.drop_index('ix_audit_trail_table_row')
    op.drop_table('audit_trail')
