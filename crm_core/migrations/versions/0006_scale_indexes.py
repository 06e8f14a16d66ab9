"""indexes and search structures for a million customers

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06

Issue 9. The 2-character search table gets a ``kind`` column (which field a
pair comes from, so a search leaves out what the role may not read) and an
index on ``customer_id`` (refreshing one customer and the ON DELETE CASCADE
used to scan the whole table). Its rows are rebuilt, now also from e-mails and
phone digits. Indexes for the list filters and the contacts' search.
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

# Filter / sort columns of the customer grid that had no index, each with id so a
# filtered page is read in order from the index (chosen from measured plans).
_CUSTOMER_INDEXES = {
    "ix_customers_level_id": ("level", "id"),
    "ix_customers_industry_id": ("industry", "id"),
    "ix_customers_source_id": ("source", "id"),
    "ix_customers_status_id": ("status", "id"),  # replaces ix_customers_status
    "ix_customers_updated_at": ("updated_at",),
}

# SQLite: contacts get an FTS5 trigram table (name, e-mail, phone digits) kept by triggers.
_CONTACTS_FTS = [
    "CREATE VIRTUAL TABLE contacts_fts USING fts5(name, email, phone, tokenize='trigram')",
    "CREATE TRIGGER contacts_fts_ai AFTER INSERT ON contacts BEGIN "
    "INSERT INTO contacts_fts(rowid, name, email, phone) VALUES "
    "(new.id, lower(new.name), lower(new.email), replace(replace(new.phone, '-', ''), ' ', '')); END",
    "CREATE TRIGGER contacts_fts_ad AFTER DELETE ON contacts BEGIN "
    "DELETE FROM contacts_fts WHERE rowid = old.id; END",
    "CREATE TRIGGER contacts_fts_au AFTER UPDATE OF name, email, phone ON contacts BEGIN "
    "UPDATE contacts_fts SET name = lower(new.name), email = lower(new.email), "
    "phone = replace(replace(new.phone, '-', ''), ' ', '') WHERE rowid = new.id; END",
    "INSERT INTO contacts_fts(rowid, name, email, phone) SELECT id, lower(name), lower(email), "
    "replace(replace(phone, '-', ''), ' ', '') FROM contacts",
]


def _rebuild_grams() -> None:
    from crm_core.services import search_index

    conn = op.get_bind()
    last = 0
    while True:
        ids = [r[0] for r in conn.execute(sa.text(
            "SELECT id FROM customers WHERE id > :last ORDER BY id LIMIT 2000"), {"last": last})]
        if not ids:
            return
        search_index.write_many(conn, search_index.load_entries(conn, ids), fresh=True)
        last = ids[-1]


def upgrade() -> None:
    on_pg = op.get_bind().dialect.name == "postgresql"
    op.drop_table('customer_search_grams')
    op.create_table('customer_search_grams',
    sa.Column('gram', sa.String(length=2), nullable=False),
    sa.Column('kind', sa.String(length=1), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_customer_search_grams_customer_id_customers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('gram', 'kind', 'customer_id', name=op.f('pk_customer_search_grams'))
    )
    op.create_index('ix_customer_search_grams_customer_id', 'customer_search_grams', ['customer_id'])
    _rebuild_grams()
    op.drop_index('ix_customers_status', table_name='customers')
    for name, cols in _CUSTOMER_INDEXES.items():
        op.create_index(name, 'customers', list(cols))
    op.create_index('ix_customer_shares_user_id_customer_id', 'customer_shares', ['user_id', 'customer_id'])
    if on_pg:
        for col in ("name", "email"):
            op.execute(f"CREATE INDEX ix_contacts_{col}_trgm ON contacts USING gin (lower({col}) gin_trgm_ops)")
        op.execute("CREATE INDEX ix_contacts_phone_trgm ON contacts "
                   "USING gin ((replace(replace(phone, '-', ''), ' ', '')) gin_trgm_ops)")
    else:
        for stmt in _CONTACTS_FTS:
            op.execute(stmt)


def downgrade() -> None:
    on_pg = op.get_bind().dialect.name == "postgresql"
    if on_pg:
        for col in ("name", "email", "phone"):
            op.execute(f"DROP INDEX IF EXISTS ix_contacts_{col}_trgm")
    else:
        for name in ("contacts_fts_ai", "contacts_fts_ad", "contacts_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS contacts_fts")
    op.drop_index('ix_customer_shares_user_id_customer_id', table_name='customer_shares')
    for name in _CUSTOMER_INDEXES:
        op.drop_index(name, table_name='customers')
    op.create_index('ix_customers_status', 'customers', ['status'])
    op.drop_table('customer_search_grams')
    op.create_table('customer_search_grams',
    sa.Column('gram', sa.String(length=2), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_customer_search_grams_customer_id_customers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('gram', 'customer_id', name=op.f('pk_customer_search_grams'))
    )
    # The old rows (names only) come back with the next save of each customer.
