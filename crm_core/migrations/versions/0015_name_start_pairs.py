"""customer_search_grams: a name's first pair kept apart as kind "s"

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07

A search for a common word sorted by name walked ``ix_customers_name`` testing each row;
company names start with their city, so for "青岛" it read every name before the first
青岛 one (seconds at 200,000 customers). The names starting with a word are one range of
that index; what the search still needs is the word's other matches. The name's first
pair is therefore stored as kind ``s`` when the name starts with it as typed and it is no
other pair of the name or e-mail (``search_index.derive``): the word's entries of other
kinds are then exactly its matches besides that range. This rewrites the kind of those
entries (one per customer at most; no row added or removed). The row-level policies list
the kinds a role reads: ``crm-admin db upgrade`` re-applies them after the migrations.
"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

CHUNK = 5000


def upgrade() -> None:
    from crm_core.services.search_index import _pairs, _token_pairs, start_pair

    conn = op.get_bind()
    customers = sa.table('customers', sa.column('id', sa.Integer), sa.column('name', sa.String),
                         sa.column('email', sa.String))
    grams = sa.table('customer_search_grams', sa.column('gram', sa.String), sa.column('kind', sa.String),
                     sa.column('customer_id', sa.Integer))
    postgresql = conn.dialect.name == 'postgresql'
    starts: list[tuple[str, int]] = []  # (gram, customer id): a million of them is some 100 MB at most
    last = 0
    while True:  # read by id in chunks
        rows = conn.execute(sa.select(customers.c.id, customers.c.name, customers.c.email)
                            .where(customers.c.id > last).order_by(customers.c.id).limit(CHUNK)).all()
        if not rows:
            break
        for cid, name, email in rows:
            first = start_pair(name, _pairs(name[1:]) | (_token_pairs(email) if email else set())) if name else None
            if first is not None:
                starts.append((first, cid))
        last = rows[-1][0]
    # Written in the key's order (gram, kind, customer_id): each chunk touches neighbouring
    # entries of the key instead of one page per customer all over it.
    starts.sort()
    for i in range(0, len(starts), CHUNK):
        chunk = starts[i:i + CHUNK]
        if postgresql:
            # one statement per chunk (an UPDATE per customer costs a round trip each at a million)
            conn.exec_driver_sql(
                "UPDATE customer_search_grams g SET kind = 's' FROM unnest(%(grams)s::text[], %(ids)s::integer[]) "
                "AS v(gram, customer_id) WHERE g.gram = v.gram AND g.kind = 'n' AND g.customer_id = v.customer_id",
                {'grams': [g for g, _ in chunk], 'ids': [c for _, c in chunk]})
        else:
            conn.execute(grams.update().where(grams.c.gram == sa.bindparam('g'), grams.c.kind == 'n',
                                              grams.c.customer_id == sa.bindparam('cid')).values(kind='s'),
                         [{'cid': c, 'g': g} for g, c in chunk])
    if postgresql and last:
        op.execute('ANALYZE customer_search_grams')  # the planner's estimate of each kind


def downgrade() -> None:
    op.execute("UPDATE customer_search_grams SET kind = 'n' WHERE kind = 's'")
