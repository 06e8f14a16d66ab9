"""Bookkeeping, counters, outboxes and logs that only the database itself may write.

The group roles keep the table privileges their module actions need (the
services write these tables on SQLite too), but on PostgreSQL a SECURITY
DEFINER trigger decides every value a caller could abuse:

* ``audit_log`` / ``erasure_log``: the actor (and the time) are the signed-in
  login's, whatever the client sends; an ``audit_log`` row can only be
  *redacted* -- personal fields of its module set to ``"[erased]"`` -- and only
  when the same transaction logged an erasure of that record; every such change
  lands in ``audit_trail``. Nobody gets DELETE or TRUNCATE.
* ``import_batches`` / ``import_batch_records``: a batch is its creator's; a
  record can be added only to one's own open batch, and only if the same login
  inserted that record in this very transaction (the trail says so); a batch is
  marked undone once, by its creator or a role that may delete in its module,
  after its records are gone; other columns change only where
  ``permissions_tables.UPDATABLE_ONLY`` allows it, and only by the importer.
* ``notifications``: recipient, subject and body come from the ticket's
  submitter and the template below, and a notice is queued only for a resolved
  ticket without another one waiting.
* ``code_sequences``: a counter only ever goes up: by a block of at most
  100,000 codes up to ten million a day, by one beyond.

A superuser session (migrations, ``crm-admin`` repairs, restores) is left alone.
"""

from __future__ import annotations

from psycopg import sql

from crm_core.permissions_tables import UPDATABLE_ONLY
from crm_core.pgsecurity.masking import OWNER, SEARCH_PATH

NOW_UTC = "(pg_catalog.now() AT TIME ZONE 'UTC')"  # the app stores naive UTC times
DENY = "USING ERRCODE = '42501'"

HELPERS = f"""
CREATE OR REPLACE FUNCTION public.crm_is_superuser() RETURNS boolean
LANGUAGE sql STABLE {SEARCH_PATH} AS $$
  SELECT coalesce((SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = session_user), false)
$$;

-- The erasure of this record was logged by this login in this transaction (erasure_log.at is
-- forced to the transaction's start, see crm_erasure_log_insert).
CREATE OR REPLACE FUNCTION public.crm_erasure_logged(mod text, rid bigint) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER {SEARCH_PATH} AS $$
  SELECT EXISTS (SELECT 1 FROM public.erasure_log e
                  WHERE e.module = mod AND e.record_id = rid AND e.at = {NOW_UTC}
                    AND e.actor_id IS NOT DISTINCT FROM public.crm_me())
$$;

-- NEW is OLD with some of ``cols`` (and nothing else) replaced by "[erased]".
CREATE OR REPLACE FUNCTION public.crm_is_redaction(old jsonb, new jsonb, cols text[]) RETURNS boolean
LANGUAGE sql IMMUTABLE {SEARCH_PATH} AS $$
  SELECT CASE
    WHEN old IS NULL OR new IS NULL OR jsonb_typeof(old) <> 'object' OR jsonb_typeof(new) <> 'object'
      THEN old IS NOT DISTINCT FROM new
    ELSE NOT EXISTS (
      SELECT 1 FROM jsonb_each(old) AS o(k, v) FULL JOIN jsonb_each(new) AS n(k, v) ON n.k = o.k
       WHERE o.k IS NULL OR n.k IS NULL
          OR (n.v IS DISTINCT FROM o.v AND NOT (o.k = ANY(cols) AND n.v = '"[erased]"'::jsonb)))
  END
$$;
"""

ERASURE_LOG = f"""
CREATE OR REPLACE FUNCTION public.crm_erasure_log_insert() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER {SEARCH_PATH} AS $$
BEGIN
  IF NOT public.crm_is_superuser() THEN
    NEW.actor_id := public.crm_me();
    NEW.at := {NOW_UTC};
  END IF;
  RETURN NEW;
END $$;
"""

AUDIT_LOG = f"""
CREATE OR REPLACE FUNCTION public.crm_audit_log_insert() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER {SEARCH_PATH} AS $$
DECLARE
  uid integer;
  ulogin text;
BEGIN
  IF NOT public.crm_is_superuser() THEN
    SELECT u.id, u.login INTO uid, ulogin FROM public.users u WHERE lower(u.login) = session_user::text;
    NEW.actor_id := uid;
    NEW.actor_login := coalesce(ulogin, session_user::text);
    NEW.at := {NOW_UTC};
  END IF;
  RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION public.crm_audit_log_update() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER {SEARCH_PATH} AS $$
DECLARE
  personal text[];
  tbl text;
  visible boolean := false;
BEGIN
  IF public.crm_is_superuser() THEN RETURN NEW; END IF;
  -- Only a role that may erase in the module, for a record it can see (as crm_redact_trail).
  SELECT v.cols, v.t INTO personal, tbl FROM (VALUES {{personal}}) AS v(module, t, cols)
   WHERE v.module = OLD.module AND EXISTS (SELECT 1 FROM (VALUES {{erasers}}) AS e(r, t)
                                            WHERE e.t = v.t AND pg_catalog.pg_has_role(session_user, e.r, 'MEMBER'));
  IF tbl IS NOT NULL AND OLD.record_id IS NOT NULL THEN
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM public.%I WHERE id = $1)', tbl) INTO visible USING OLD.record_id;
  END IF;
  IF (to_jsonb(NEW) - 'before' - 'after') IS DISTINCT FROM (to_jsonb(OLD) - 'before' - 'after')
     OR NOT visible OR NOT public.crm_erasure_logged(OLD.module, OLD.record_id)
     OR NOT public.crm_is_redaction(OLD.before::jsonb, NEW.before::jsonb, personal)
     OR NOT public.crm_is_redaction(OLD.after::jsonb, NEW.after::jsonb, personal) THEN
    RAISE EXCEPTION 'the operation log cannot be changed (only personal data, erased with a logged erasure)'
      {DENY};
  END IF;
  RETURN NEW;
END $$;

-- Every change of the operation log is itself in the trail (without the values it held).
CREATE OR REPLACE FUNCTION public.crm_audit_log_trail() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER {SEARCH_PATH} AS $$
BEGIN
  INSERT INTO public.audit_trail (actor, table_name, row_id, op, before, after)
  VALUES (session_user, TG_TABLE_NAME, OLD.id, TG_OP, to_jsonb(OLD) - 'before' - 'after',
          CASE WHEN TG_OP = 'UPDATE' THEN (to_jsonb(NEW) - 'before' - 'after') || '{{"redacted": true}}'::jsonb END);
  RETURN NULL;
END $$;
"""

IMPORTS = f"""
CREATE OR REPLACE FUNCTION public.crm_import_batch_write() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER {SEARCH_PATH} AS $$
DECLARE
  tbl text;
  left_over boolean;
BEGIN
  IF public.crm_is_superuser() THEN RETURN NEW; END IF;
  IF TG_OP = 'INSERT' THEN
    NEW.created_by_id := public.crm_me();
    NEW.undone_at := NULL;
    NEW.undone_by_id := NULL;
    RETURN NEW;
  END IF;
  IF OLD.undone_at IS NOT NULL
     OR (to_jsonb(NEW) - {{updatable}}) IS DISTINCT FROM (to_jsonb(OLD) - {{updatable}}) THEN
    RAISE EXCEPTION 'an import batch can only be marked undone, once' {DENY};
  END IF;
  IF NEW.undone_at IS NULL THEN  -- not the undo: only the importer keeps his open batch's other columns
    IF NEW.undone_by_id IS NOT NULL OR OLD.created_by_id IS DISTINCT FROM public.crm_me() THEN
      RAISE EXCEPTION 'only the importer changes his import batch' {DENY};
    END IF;
    RETURN NEW;
  END IF;
  IF OLD.created_by_id IS DISTINCT FROM public.crm_me() AND NOT EXISTS (
       SELECT 1 FROM (VALUES {{deleters}}) AS v(r, m) WHERE v.m = OLD.module
          AND pg_catalog.pg_has_role(session_user, v.r, 'MEMBER')) THEN
    RAISE EXCEPTION 'only the importer or a role that may delete in the module undoes an import' {DENY};
  END IF;
  SELECT v.t INTO tbl FROM (VALUES {{tables}}) AS v(m, t) WHERE v.m = OLD.module;
  -- The records it created in its own module must be gone (updated ones stay, restored).
  EXECUTE format('SELECT EXISTS (SELECT 1 FROM public.import_batch_records r JOIN public.%I x ON x.id = r.record_id '
                 'WHERE r.batch_id = $1 AND r.action = ''create'' AND COALESCE(r.module, $2) = $2)', tbl)
    INTO left_over USING OLD.id, OLD.module;
  IF tbl IS NULL OR left_over THEN
    RAISE EXCEPTION 'the records of an import must be deleted before it is marked undone' {DENY};
  END IF;
  NEW.undone_by_id := public.crm_me();
  NEW.undone_at := {NOW_UTC};
  RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION public.crm_import_record_insert() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER {SEARCH_PATH} AS $$
DECLARE
  tbl text;
BEGIN
  IF public.crm_is_superuser() THEN RETURN NEW; END IF;
  -- A record of the batch's module, or of the module it names (a contact created with its customer).
  SELECT v.t INTO tbl FROM public.import_batches b
    JOIN (VALUES {{tables}}) AS v(m, t) ON v.m = COALESCE(NEW.module, b.module)
   WHERE b.id = NEW.batch_id AND b.created_by_id = public.crm_me() AND b.undone_at IS NULL;
  IF tbl IS NULL THEN
    RAISE EXCEPTION 'records can only be added to an open import batch of one''s own' {DENY};
  END IF;
  -- The trail is written by the database: this login inserted (or, for an update by key,
  -- updated) the record in this transaction.
  IF NOT EXISTS (SELECT 1 FROM public.audit_trail t WHERE t.table_name = tbl AND t.row_id = NEW.record_id
                    AND t.op = CASE WHEN NEW.action = 'update' THEN 'UPDATE' ELSE 'INSERT' END
                    AND t.actor = session_user::text AND t.at = pg_catalog.now()) THEN
    RAISE EXCEPTION 'an import batch holds only records its import created' {DENY};
  END IF;
  RETURN NEW;
END $$;
"""

NOTIFICATIONS = f"""
CREATE OR REPLACE FUNCTION public.crm_notification_insert() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER {SEARCH_PATH} AS $$
DECLARE
  t record;
  sub record;
BEGIN
  IF public.crm_is_superuser() THEN RETURN NEW; END IF;
  -- Read as the owner, whose policy follows the signed-in user: only a ticket he may see.
  SELECT k.id, k.number, k.status, k.result, k.submitter_id INTO t FROM public.tickets k WHERE k.id = NEW.ticket_id;
  IF t.id IS NULL OR t.status <> 'resolved' THEN
    RAISE EXCEPTION 'a notice is queued only by resolving a ticket' {DENY};
  END IF;
  SELECT s.name, s.email INTO sub FROM public.submitters s WHERE s.id = t.submitter_id;
  IF sub.email IS NULL OR sub.email = '' THEN
    RAISE EXCEPTION 'the ticket''s submitter has no e-mail' {DENY};
  END IF;
  IF EXISTS (SELECT 1 FROM public.notifications n WHERE n.ticket_id = t.id AND n.status IN ('queued', 'sending')) THEN
    RAISE EXCEPTION 'a notice for this ticket is already waiting' {DENY};
  END IF;
  -- The template (the same text as crm_core.modules.service.TicketService._queue_notice).
  NEW.channel := 'email';
  NEW.recipient := sub.email;
  NEW.subject := format('您反馈的问题已解决 / Your issue %s is resolved', t.number);
  NEW.body := format(E'%s，您好：\\n\\n您反馈的问题（%s）已解决。\\n处理结果：%s\\n\\n' ||
                     E'Dear %s,\\n\\nthe issue you reported (%s) is resolved.\\nResult: %s\\n',
                     sub.name, t.number, t.result, sub.name, t.number, t.result);
  NEW.status := 'queued';
  NEW.attempts := 0;
  NEW.error := NULL;
  NEW.sent_at := NULL;
  NEW.claimed_at := NULL;
  RETURN NEW;
END $$;
"""

MAX_CODE_BLOCK = 100_000  # codes one bulk write may reserve at once (an import's chunk is far less)
# Blocks only while a day's counter stays at or below this; beyond it, one code at a time (a form's
# next_code) up to the column's 2**31 - 1. Blocks of 100,000 took a day's counter to the end of the
# integer in ~21,500 updates, and every next code of that day failed. Ten million codes a day through
# imports is far beyond any office; one at a time the rest takes two billion updates.
MAX_BLOCK_COUNTER = 10_000_000

CODES = f"""
CREATE OR REPLACE FUNCTION public.crm_code_sequence_write() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER {SEARCH_PATH} AS $$
BEGIN
  IF public.crm_is_superuser() THEN RETURN NEW; END IF;
  -- Up only, never back (a code is never reused); a block at a time for bulk work (imports), as long
  -- as the day's counter stays at or below {MAX_BLOCK_COUNTER}. Compared as bigint: near the integer's
  -- end the sum itself overflowed, and that refused every next code of the day.
  IF (TG_OP = 'INSERT' AND (NEW.last_value < 0 OR NEW.last_value > {MAX_CODE_BLOCK}))
     OR (TG_OP = 'UPDATE' AND (NEW.key <> OLD.key OR NEW.last_value <= OLD.last_value
                               OR NEW.last_value::bigint > OLD.last_value::bigint + {MAX_CODE_BLOCK}
                               OR (NEW.last_value::bigint > OLD.last_value::bigint + 1 AND NEW.last_value > {MAX_BLOCK_COUNTER}))) THEN
    RAISE EXCEPTION 'a code counter only counts up, at most {MAX_CODE_BLOCK} at a time and one at a time '
                    'beyond {MAX_BLOCK_COUNTER}' {DENY};
  END IF;
  RETURN NEW;
END $$;
"""

# (function, table, timing/events): the triggers of this module.
TRIGGERS = [
    ("crm_erasure_log_insert", "erasure_log", "BEFORE INSERT"),
    ("crm_audit_log_insert", "audit_log", "BEFORE INSERT"),
    ("crm_audit_log_update", "audit_log", "BEFORE UPDATE"),
    ("crm_audit_log_trail", "audit_log", "AFTER UPDATE OR DELETE"),
    ("crm_import_batch_write", "import_batches", "BEFORE INSERT OR UPDATE"),
    ("crm_import_record_insert", "import_batch_records", "BEFORE INSERT"),
    ("crm_notification_insert", "notifications", "BEFORE INSERT"),
    ("crm_code_sequence_write", "code_sequences", "BEFORE INSERT OR UPDATE"),
]


def _values(rows: list[tuple]) -> str:
    """``('a', 'b'), ...`` (the names come from the declaration, never from users)."""
    def lit(v) -> str:
        if isinstance(v, (list, tuple)):
            return "ARRAY[" + ", ".join(lit(x) for x in v) + "]::text[]"
        return "'" + str(v).replace("'", "''") + "'"
    return ", ".join("(" + ", ".join(lit(v) for v in row) + ")" for row in rows) or "(NULL, NULL)"


def _text_array(names: tuple[str, ...]) -> str:
    return "ARRAY[" + ", ".join(f"'{n}'" for n in names) + "]::text[]"


def personal_fields() -> list[tuple[str, str, list[str]]]:
    """(module, table, personal columns) of every module with personal fields."""
    from crm_core.modules import SPECS

    return [(module, spec.model.__tablename__, [f.name for f in spec.fields if f.personal])
            for module, spec in sorted(SPECS.items()) if any(f.personal for f in spec.fields)]


def _import_tables() -> list[tuple[str, str]]:
    from crm_core.permissions_tables import MODULE_TABLES

    return [(m, tables[0]) for m, tables in sorted(MODULE_TABLES.items()) if tables]


def _deleters() -> list[tuple[str, str]]:
    from crm_core.permissions import ROLES, Action

    return [(f"crm_{code}", module) for code, rights in ROLES.items()
            for module in sorted(rights.modules) if rights.may(module, Action.DELETE)]


def statements() -> list[str | sql.Composed]:
    """The helper and trigger functions, owned by crm_owner, and their triggers (idempotent)."""
    body = (HELPERS + ERASURE_LOG + AUDIT_LOG + IMPORTS + NOTIFICATIONS + CODES)
    from crm_core.pgsecurity.audit_trail import erasers

    body = (body.replace("{personal}", _values(personal_fields())).replace("{erasers}", erasers())
            .replace("{deleters}", _values(_deleters())).replace("{tables}", _values(_import_tables()))
            .replace("{updatable}", _text_array(UPDATABLE_ONLY["import_batches"])))
    out: list[str | sql.Composed] = [part.strip() + " $$" for part in body.split("$$;") if part.strip()]
    for name in ("crm_is_superuser()", "crm_erasure_logged(text, bigint)", "crm_is_redaction(jsonb, jsonb, text[])",
                 *(f"{fn}()" for fn, _, _ in TRIGGERS)):
        out.append(f"ALTER FUNCTION public.{name} OWNER TO {OWNER}")
        out.append(f"REVOKE ALL ON FUNCTION public.{name} FROM PUBLIC")
    for fn, table, when in TRIGGERS:
        out.append(sql.SQL("DROP TRIGGER IF EXISTS {} ON public.{}").format(sql.Identifier(fn), sql.Identifier(table)))
        out.append(sql.SQL("CREATE TRIGGER {} " + when + " ON public.{} FOR EACH ROW EXECUTE FUNCTION public.{}()")
                   .format(sql.Identifier(fn), sql.Identifier(table), sql.Identifier(fn)))
    return out
