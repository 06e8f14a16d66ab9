"""customers.name_key: the importer finds the customers a file's names duplicate through an index

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06

The import's duplicate check compares company names without case, width, spaces and
punctuation ("上海明月科技 有限公司" duplicates "上海明月科技有限公司"). It read every
customer's name to do so: a full read per import at a million customers. The key is now
stored beside the search text (written with it by every path, search_index.derive) and
indexed, so the look-up reads only the customers the file's names can match.
"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

CHUNK = 5000


def upgrade() -> None:
    from crm_core.services.search_index import name_key

    # plain ALTER TABLE (no batch copy: that would drop the FTS triggers of customers on SQLite)
    op.add_column('customers', sa.Column('name_key', sa.Text(), nullable=True))
    conn = op.get_bind()
    customers = sa.table('customers', sa.column('id', sa.Integer), sa.column('name', sa.String),
                         sa.column('name_key', sa.String), sa.column('updated_at', sa.DateTime))
    # The derived key is left out of the PostgreSQL audit trail (as search_text is), but the trigger in
    # place until the grants and triggers are re-applied after this migration still has the old list:
    # it would write one trail row per customer for a change the trail omits. The backfill runs with it
    # disabled, inside this transaction (ALTER TABLE locks customers until commit: no other write
    # can pass untracked).
    trail = conn.dialect.name == 'postgresql' and conn.exec_driver_sql(
        "SELECT 1 FROM pg_trigger WHERE tgname = 'crm_audit_trail' AND tgrelid = 'public.customers'::regclass"
    ).first() is not None
    if trail:
        op.execute('ALTER TABLE customers DISABLE TRIGGER crm_audit_trail')
    last = 0
    while True:  # by id in chunks: memory stays flat whatever the number of customers
        rows = conn.execute(sa.select(customers.c.id, customers.c.name).where(customers.c.id > last)
                            .order_by(customers.c.id).limit(CHUNK)).all()
        if not rows:
            break
        conn.execute(customers.update().where(customers.c.id == sa.bindparam('cid'))
                     .values(name_key=sa.bindparam('key'), updated_at=customers.c.updated_at),
                     [{'cid': cid, 'key': name_key(name)} for cid, name in rows])
        last = rows[-1][0]
    if trail:
        op.execute('ALTER TABLE customers ENABLE TRIGGER crm_audit_trail')
    op.create_index('ix_customers_name_key', 'customers', ['name_key'], unique=False)
    if conn.dialect.name == 'postgresql' and last:
        # Without statistics on the new column the planner takes an IN list of 500 keys for half the
        # table and scans it (10,000 file rows: 10.6 s instead of 3.1 s at 200,000 customers). Not on
        # an empty table: statistics of "no rows" would be new there and change the lists' plans.
        op.execute('ANALYZE customers')


def downgrade() -> None:
    op.drop_index('ix_customers_name_key', table_name='customers')
    op.drop_column('customers', 'name_key')
