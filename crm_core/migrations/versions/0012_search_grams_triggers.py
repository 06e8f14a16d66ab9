"""PostgreSQL: the search grams' foreign key replaced by two triggers that cost per customer, not per entry

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06

About 35 ``customer_search_grams`` rows per customer, and the foreign key checked
each of them against ``customers`` (an index probe and a row lock per entry): half
of an import's write time on PostgreSQL. In its place, on PostgreSQL only:

* ``crm_search_grams_check``: after each INSERT statement into the grams, every
  customer the new rows name must exist (and be visible to the session): the
  distinct customers are locked FOR KEY SHARE once, as the foreign key locked
  them once per row, so a concurrent delete cannot leave entries behind;
* ``crm_search_grams_cascade``: before a customer row is deleted, its entries go
  (the ON DELETE CASCADE). SECURITY DEFINER, owned by crm_owner on a server with
  per-user logins: the owner's policy on the grams lets it see every entry of a
  customer the deleting session can see, of every kind, also those (contact
  names) the session itself may not read. BEFORE, not AFTER: once the row is
  gone, the owner's policy no longer shows its entries.

SQLite keeps the foreign key. The models keep it too (SQLite's schema);
``migrate.include_object`` leaves it out of the comparison.
"""
from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

FK = 'fk_customer_search_grams_customer_id_customers'

CHECK = """
CREATE OR REPLACE FUNCTION public.crm_search_grams_check() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  wanted bigint;
  present bigint;
BEGIN
  SELECT count(DISTINCT a.customer_id) INTO wanted FROM added a;
  SELECT count(*) INTO present FROM (
    SELECT 1 FROM public.customers c WHERE c.id IN (SELECT a.customer_id FROM added a) FOR KEY SHARE OF c) AS locked;
  IF present < wanted THEN
    RAISE EXCEPTION 'customer_search_grams: entries of a customer that does not exist'
      USING ERRCODE = '23503';
  END IF;
  RETURN NULL;
END $$
"""

CASCADE = """
CREATE OR REPLACE FUNCTION public.crm_search_grams_cascade() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  DELETE FROM public.customer_search_grams WHERE customer_id = OLD.id;
  RETURN OLD;
END $$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(CHECK)
    op.execute(CASCADE)
    for fn in ("crm_search_grams_check", "crm_search_grams_cascade"):
        op.execute(f"REVOKE ALL ON FUNCTION public.{fn}() FROM PUBLIC")
    op.execute("CREATE TRIGGER crm_search_grams_check AFTER INSERT ON public.customer_search_grams "
               "REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION public.crm_search_grams_check()")
    op.execute("CREATE TRIGGER crm_search_grams_cascade BEFORE DELETE ON public.customers "
               "FOR EACH ROW EXECUTE FUNCTION public.crm_search_grams_cascade()")
    op.drop_constraint(FK, 'customer_search_grams', type_='foreignkey')


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DELETE FROM public.customer_search_grams g "
               "WHERE NOT EXISTS (SELECT 1 FROM public.customers c WHERE c.id = g.customer_id)")
    op.create_foreign_key(FK, 'customer_search_grams', 'customers', ['customer_id'], ['id'], ondelete='CASCADE')
    op.execute("DROP TRIGGER IF EXISTS crm_search_grams_cascade ON public.customers")
    op.execute("DROP TRIGGER IF EXISTS crm_search_grams_check ON public.customer_search_grams")
    op.execute("DROP FUNCTION IF EXISTS public.crm_search_grams_cascade()")
    op.execute("DROP FUNCTION IF EXISTS public.crm_search_grams_check()")
