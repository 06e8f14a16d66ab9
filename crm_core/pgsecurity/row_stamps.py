"""Ids and "who did it" columns: values of a row the database decides, not the caller.

* **Ids**: a login needs USAGE on a table's id sequence to insert (the column's
  default calls ``nextval``), and the bulk writer reserves ids with ``nextval`` and
  inserts them explicitly. An explicit id *beyond* the sequence, though, is one
  nobody was handed yet: rows planted there (a million operation-log entries with
  the next million ids) made every later insert of the office fail with a
  duplicate key. ``crm_ids_handed_out()``, after every INSERT statement, refuses
  ids above the sequence's last value. A primary key is never updated (grants.py).
* **Codes** (a customer's ``code``, a ticket's ``number``): the same for the
  counters of :mod:`crm_core.services.codes`. A salesman's own customers with
  the codes C<today>002 ... C<today>999 made every new customer of the office
  fail ("code already exists") for the rest of the day, and for any day he
  chose ahead. A new row's code must be one its counter has handed out (in
  its canonical form); codes are never updated (grants.py).
* **Actors** (``created_by_id``, ``updated_by_id``, a status change's
  ``changed_by_id``, a ticket log entry's ``by_id`` ...): whoever writes one of
  these writes his own CRM user id (``crm_me()``), whatever he sends. A row's
  creator stays as it was on UPDATE; ``updated_by_id`` names the login of every
  UPDATE (sent or not; the owner's sign-in bookkeeping aside) and ``undone_by_id``
  the login that sets ``undone_at``. So nobody writes history in a colleague's name
  (the audit trail always had the truth; the screens show these columns).

* **A new row's workflow state** (``INITIAL_VALUES``): a ticket starts open, with no engineer,
  result, satisfaction or times, whatever the caller sends, as the services start it.

A superuser session (migrations, restores, demo data loaded as the server's
superuser) is left alone, as in :mod:`crm_core.pgsecurity.bookkeeping`.
"""

from __future__ import annotations

from psycopg import sql

from crm_core.pgsecurity.masking import OWNER, SEARCH_PATH

# column -> "once" (set on INSERT, kept on UPDATE) or "last" (whoever changes it)
ACTOR_COLUMNS: dict[str, str] = {
    "created_by_id": "once", "changed_by_id": "once", "by_id": "once", "uploaded_by_id": "once",
    "shared_by_id": "once", "updated_by_id": "last", "undone_by_id": "last",
}
# Tables whose actor columns have triggers of their own (bookkeeping.py) or are the logs themselves.
OWN_RULES = frozenset({"import_batches", "audit_log", "erasure_log", "audit_trail"})

IDS_FUNCTION = f"""CREATE OR REPLACE FUNCTION public.crm_ids_handed_out() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER {SEARCH_PATH} AS $$
DECLARE
  top bigint;
  handed bigint;
  bad text;
BEGIN
  IF public.crm_is_superuser() THEN RETURN NULL; END IF;
  SELECT max(n.id) INTO top FROM crm_new_rows n;
  IF top IS NULL THEN RETURN NULL; END IF;
  -- TG_ARGV[0]: the table's id sequence. NULL: not called since it was created or set back with
  -- setval(..., false); then the last id handed out is the one before where it stands.
  handed := pg_catalog.pg_sequence_last_value(TG_ARGV[0]::regclass);
  IF handed IS NULL THEN
    EXECUTE pg_catalog.format('SELECT last_value - 1 FROM %s', TG_ARGV[0]::regclass) INTO handed;
  END IF;
  IF top > handed THEN
    RAISE EXCEPTION 'id % of %: not handed out by its sequence (ids come from nextval)', top, TG_TABLE_NAME
      USING ERRCODE = '42501';
  END IF;
  -- TG_ARGV[1], [2]: (code column, prefix) of a table with business codes: <prefix><YYYYMMDD><NNN>, NNN
  -- counted by code_sequences under the key <prefix><YYYYMMDD> (crm_core.services.codes).
  IF TG_NARGS = 3 THEN
    EXECUTE pg_catalog.format(
      'SELECT n.c FROM (SELECT %I AS c FROM crm_new_rows) n LEFT JOIN public.code_sequences s '
      'ON s.key = pg_catalog.left(n.c, 9) WHERE CASE '
      'WHEN n.c ~ (''^'' || $1 || ''[0-9]{{8}}([0-9]{{3}}|[1-9][0-9]{{3,17}})$'') AND s.key IS NOT NULL '
      'THEN pg_catalog.substr(n.c, 10)::bigint NOT BETWEEN 1 AND s.last_value ELSE true END LIMIT 1',
      TG_ARGV[1]) INTO bad USING TG_ARGV[2];
    IF bad IS NOT NULL THEN
      RAISE EXCEPTION '% %: not handed out by its counter (codes come from code_sequences)', TG_ARGV[1], bad
        USING ERRCODE = '42501';
    END IF;
  END IF;
  RETURN NULL;
END $$"""

# Business codes (crm_core.bulk.writer.CODES, crm_core.services.codes): table -> (column, prefix).
CODES = {"customers": ("code", "C"), "tickets": ("number", "T")}

# One function per table, with the columns named (no row-wide jsonb: a generic version cost
# about 80 µs a row on an import, doubling the insert's own cost).
_ACTORS_TEMPLATE = """CREATE OR REPLACE FUNCTION public.{name}() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER """ + SEARCH_PATH + """ AS $$
DECLARE
  me integer;
BEGIN
  IF public.crm_is_superuser() THEN RETURN NEW; END IF;
  IF TG_OP = 'INSERT' THEN
    me := public.crm_me();
{on_insert}
  ELSE
{on_update}
  END IF;
  RETURN NEW;
END $$"""


# A new row's workflow state, whatever the caller sends (as the services' _before_insert and the bulk
# writer's INITIAL_STATUS): a salesman, who may create tickets but not resolve them, inserted a ticket
# already "resolved" with a result of his own and queued the office's notice mail with that text to the
# submitter. Set in the table's actors trigger: no trigger, no cost of its own.
INITIAL_VALUES: dict[str, tuple[tuple[str, str], ...]] = {
    "tickets": (("status", "'open'"), ("engineer_id", "NULL"), ("result", "NULL"), ("satisfaction", "NULL"),
                ("resolved_at", "NULL"), ("closed_at", "NULL")),
}

# Columns the owner's own functions update for their bookkeeping (crm_touch_login at every sign-in):
# an UPDATE that changes nothing else is not an edit, and names nobody as its last editor.
BOOKKEEPING = {"users": ("last_login_at",)}


def actors_function(table: str, columns: list[tuple[str, str]],
                    table_columns: frozenset[str] = frozenset()) -> tuple[str, str]:
    """(name, CREATE FUNCTION) of the trigger function that sets ``table``'s actor columns.

    On UPDATE ``updated_by_id`` always names the writer, whether or not he sent it (a raw
    ``UPDATE ... SET notes = ...`` kept the previous editor's), and ``undone_by_id`` whoever
    sets or clears ``undone_at``.
    """
    on_insert, on_update = [], []
    for column, kind in columns:
        if kind == "once":
            on_insert.append(f"    NEW.{column} := me;")
            on_update.append(f"    NEW.{column} := OLD.{column};")
            continue
        on_insert.append(f"    IF NEW.{column} IS NOT NULL THEN NEW.{column} := me; END IF;")
        if column == "undone_by_id" and "undone_at" in table_columns:
            on_update.append("    NEW.undone_by_id := CASE WHEN NEW.undone_at IS NOT DISTINCT FROM OLD.undone_at "
                             "THEN OLD.undone_by_id WHEN NEW.undone_at IS NULL THEN NULL ELSE public.crm_me() END;")
        elif column == "updated_by_id":
            on_update.append("    NEW.updated_by_id := public.crm_me();")
        else:
            on_update.append(f"    IF NEW.{column} IS DISTINCT FROM OLD.{column} THEN "
                             f"NEW.{column} := public.crm_me(); END IF;")
    on_insert += [f"    NEW.{column} := {value};" for column, value in INITIAL_VALUES.get(table, ())
                  if column in table_columns]
    skip = BOOKKEEPING.get(table)
    if skip:
        minus = " - ".join(["{}"] + [f"'{c}'" for c in skip])
        on_update.insert(0, f"    IF ({minus.format('to_jsonb(NEW)')}) = ({minus.format('to_jsonb(OLD)')}) "
                            "THEN RETURN NEW; END IF;")
    name = f"crm_actors_{table}"
    return name, _ACTORS_TEMPLATE.format(name=name, on_insert="\n".join(on_insert),
                                         on_update="\n".join(on_update))


def _serial_tables() -> list[str]:
    """Every table whose primary key is an ``id`` drawn from a sequence and that a login may INSERT into.

    Tables only the owner's triggers write (the audit trail: one insert for every audited row) need
    no check, and would pay for it at every audited write.
    """
    from crm_core.permissions_tables import table_privileges
    from crm_core.pgsecurity.grants import BACKUP_RUNS, tables
    from crm_core.pgsecurity.roles import GROUP_ROLES

    inserted = {BACKUP_RUNS} | {name for code in GROUP_ROLES for name, privileges in table_privileges(code).items()
                                if "INSERT" in privileges}
    return [name for name, t in sorted(tables().items())
            if name in inserted and t.autoincrement_column is not None and t.autoincrement_column.name == "id"]


def tables_of_ids() -> list[str]:
    """Every table with an ``id`` drawn from a sequence."""
    from crm_core.pgsecurity.grants import tables

    return [name for name, t in sorted(tables().items())
            if t.autoincrement_column is not None and t.autoincrement_column.name == "id"]


def _actor_tables() -> dict[str, tuple[list[tuple[str, str]], frozenset[str]]]:
    from crm_core.pgsecurity.grants import tables

    out: dict[str, tuple[list[tuple[str, str]], frozenset[str]]] = {}
    for name, t in sorted(tables().items()):
        cols = [(c.name, ACTOR_COLUMNS[c.name]) for c in t.columns if c.name in ACTOR_COLUMNS]
        if cols and name not in OWN_RULES:
            out[name] = (cols, frozenset(c.name for c in t.columns))
    return out


def statements() -> list[str | sql.Composed]:
    """The trigger functions, owned by crm_owner, and their triggers (idempotent)."""
    out: list[str | sql.Composed] = [IDS_FUNCTION, "DROP FUNCTION IF EXISTS public.crm_actor_columns() CASCADE"]
    functions = ["crm_ids_handed_out()"]
    actors = _actor_tables()
    for table, (cols, all_columns) in actors.items():
        name, body = actors_function(table, cols, all_columns)
        out.append(body)
        functions.append(f"{name}()")
    for fn in functions:
        out.append(f"ALTER FUNCTION public.{fn} OWNER TO {OWNER}")
        out.append(f"REVOKE ALL ON FUNCTION public.{fn} FROM PUBLIC")
    checked = _serial_tables()
    for table in sorted(tables_of_ids()):  # also where an earlier version put it
        out.append(sql.SQL("DROP TRIGGER IF EXISTS crm_ids_handed_out ON public.{}").format(sql.Identifier(table)))
    for table in checked:
        # The sequence's name as the trigger's first argument, looked up once here and not at every statement.
        codes = "".join(", %L" for _ in CODES.get(table, ()))
        out.append(sql.SQL(
            "DO $$BEGIN EXECUTE pg_catalog.format('CREATE TRIGGER crm_ids_handed_out AFTER INSERT ON public.%I "
            "REFERENCING NEW TABLE AS crm_new_rows FOR EACH STATEMENT EXECUTE FUNCTION "
            "public.crm_ids_handed_out(%L" + codes + ")', {t}, pg_catalog.pg_get_serial_sequence({q}, 'id'){args}); "
            "END$$").format(t=sql.Literal(table), q=sql.Literal(f"public.{table}"),
                            args=sql.SQL("").join(sql.SQL(", {}").format(sql.Literal(a))
                                                  for a in CODES.get(table, ()))))
    for table in actors:
        name = sql.Identifier(table)
        out.append(sql.SQL("DROP TRIGGER IF EXISTS crm_actor_columns ON public.{}").format(name))
        out.append(sql.SQL("CREATE TRIGGER crm_actor_columns BEFORE INSERT OR UPDATE ON public.{} "
                           "FOR EACH ROW EXECUTE FUNCTION public.{}()").format(
                               name, sql.Identifier(f"crm_actors_{table}")))
    return out
