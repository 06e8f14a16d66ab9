"""every module's grid page read from an index, for the admin and for a salesperson

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07

Issue 9, items 3-4. Each module's grid offers the sorts an index serves
(``EntitySpec.grid_sorts``); these are the indexes for the columns an office
sorts by that had none: names, amounts, the default dates (payments received,
follow-ups, licenses' expiry) and the contracts' signing date. Each with id, so
a page is read in the list's order (id breaks ties). A nullable column is
listed with its empty values last in both directions (``col IS NULL, col
[DESC], id [DESC]``, services.query.order_by), which a plain index does not
give: the two expression indexes per such column hold that order each way.

A salesperson's page walks the same indexes (EntityService._page_scope), so
no (owner, ...) index is needed: these tables have no owner column.
Measured at 200,000 customers in docs/performance.md ("branch sortsales").
"""
from alembic import op


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

_PLAIN = {
    "ix_contacts_name_id": ("contacts", "name, id"),
    "ix_contracts_amount_id": ("contracts", "amount, id"),
    "ix_payments_received_on_id": ("payments", "received_on, id"),
    "ix_payments_amount_id": ("payments", "amount, id"),
    "ix_followups_at_id": ("followups", "at, id"),
}
# Nullable columns: empty values last, ascending and descending (see the module doc).
_NULLS_LAST = {
    "contracts": "signed_on",
    "licenses": "valid_until",
}


def _indexes() -> dict[str, tuple[str, str]]:
    out = dict(_PLAIN)
    for table, col in _NULLS_LAST.items():
        out[f"ix_{table}_{col}_nulls_last_id"] = (table, f"({col} IS NULL), {col}, id")
        out[f"ix_{table}_{col}_desc_nulls_last_id"] = (table, f"({col} IS NULL), {col} DESC, id DESC")
    return out


def upgrade() -> None:
    for name, (table, cols) in _indexes().items():
        op.execute(f"CREATE INDEX {name} ON {table} ({cols})")


def downgrade() -> None:
    for name in reversed(list(_indexes())):
        op.execute(f"DROP INDEX {name}")
