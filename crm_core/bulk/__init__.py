"""Bulk writes: many new or changed records per statement, deriving exactly what the services derive.

Used by ``crm-admin demo-data`` (:mod:`crm_core.demo_write`) and meant for the
importer. Rows are written with the fastest path of each backend (psycopg
``COPY`` on PostgreSQL, ``executemany`` on SQLite; see ``crm_core.bulk.rows``),
in chunks, each chunk one short transaction.

API
---
``BulkWriter(db, actor, *, source=None, chunk_size=5000)``
    Acts as ``actor`` (a :class:`crm_core.services.context.Actor`): his id goes
    into ``created_by_id`` / ``updated_by_id`` and the audit entries.
    ``source`` is a free label (e.g. ``"import #12: clients.xlsx"``) handed back
    on every :class:`Chunk` so the caller can record where records came from.

``writer.insert(module, rows, *, validate=False, search=True, on_chunk=None) -> list[int]``
    Creates records of ``module`` (``"customers"``, ``"contacts"``,
    ``"contracts"``, ...). Checks the actor's CREATE right once. ``rows`` is
    any iterable of dicts holding the module's editable field values
    (``spec.fields`` that are not read-only), already parsed, as
    ``EntityService.check_new`` accepts them. With ``validate=True`` each row
    is parsed and checked by the service's own checks (one query or more per
    row: slower) and a failure raises ``ValidationError`` whose errors carry
    ``row`` = the row's position in its chunk, nothing of that chunk written.
    Whatever ``validate`` says, the module's rules that read other rows
    (``_rules_with_others``: a payment within what its contract still has
    outstanding and not before it was signed; a contact not the twin of another)
    are decided in each chunk's write transaction over all its rows, each seeing
    the earlier ones as written, after locking what they read (the contracts
    ``FOR UPDATE``, the contacts' customers ``FOR NO KEY UPDATE``, in id order;
    SQLite's write lock): a refusal raises the same
    ``ValidationError``, nothing of that chunk written.
    Optional keys per row:

    * ``created_at`` / ``updated_at``: aware datetimes (default: now).
    * ``custom``: ``{key: value}`` of the module's custom fields, as the
      services accept them; always parsed and checked by the service's own
      custom-field rules (``_parse_custom``: type, length, choices, required
      when given), a failure raising ``ValidationError`` with ``row`` as
      above; written in one bulk insert per chunk (empty values not stored).
    * ``_contacts`` (customers only): ``[(name, phone), ...]`` contacts that
      will be inserted right after, so the search entry is derived once
      (then insert those contacts with ``search=False``).

    Written as the services write them: ``version`` 1, ``is_active``, the
    module's defaults (``_apply_defaults``: owner = actor, first status...),
    codes reserved as a block per day (``C``/``T`` + the created day,
    :func:`crm_core.services.codes.reserve_codes`), customers' first status
    history row and search index (``crm_core.services.search_index``),
    payments' customer, tickets' store, and one ``audit_log`` "create" entry
    per record with the masked snapshot. Contacts add themselves to their
    customers' search index unless ``search=False`` (the contacts' pairs only,
    so the customer's own entries must be current; a customer never indexed
    is rebuilt whole).

    ``on_chunk(Chunk)`` is called after each chunk COMMITS, with
    ``Chunk.module, ids (input order), versions, source, done``: record the
    ids there (e.g. ``ImportBatchRecord``) to be able to undo. An exception
    in a later chunk leaves earlier chunks committed: callers that need all
    or nothing run :meth:`insert_in` inside their own unit of work.

``writer.insert_in(session, module, rows, *, validate=False, search=True) -> list[int]``
    The same inside the caller's transaction (no rights check, no commit).
    It is :meth:`stage` followed by :meth:`write_staged`.

``writer.reserve({module: n, ...}) -> {module: Block}``
    Ids (and, for customers and tickets, codes of today) for ``n`` new records
    of each module, reserved in a short write transaction of its own so that
    rows can be made ready outside the transaction that writes them. Nobody
    else is ever handed them (PostgreSQL: the table's sequence; SQLite: the
    table's ``sqlite_sequence`` moved past them, as an insert would). What the
    caller does not use stays a gap, like the ids of rolled-back inserts.

``writer.stage(session, module, rows, *, validate=False, search=True, block=None) -> Staged``
    Everything of ``insert_in`` that writes nothing, in any unit of work (a
    read one will do): parsing or defaults, custom values checked (the same
    ``ValidationError`` with ``row``), and, given a ``block`` from
    :meth:`reserve`, ids and codes taken from it, search entries and grams,
    the rows of the statements and the audit snapshots. Without a block (or
    for payments and tickets, whose customer and store are looked up when
    written, or when the block lacks codes of the records' day) the numbering
    is left to ``write_staged``.

``writer.write_staged(session, staged) -> list[int]``
    Writes a ``Staged`` inside the caller's write transaction: the same rows,
    row for row, as ``insert_in`` writes (the importer stages chunk k+1 in its
    own thread while a worker thread writes chunk k). The rules that read other
    rows are decided here, under their locks, not in ``stage`` (which takes none).

``writer.stage_update(session, module, items) -> StagedUpdate``
    Existing records to update, ``items`` = ``[(record id, version shown, changes), ...]``
    (``changes`` as ``EntityService.update`` takes them, ``"custom": {key: value}``
    included), read in the actor's scope (one query per thousand, a read unit of
    work will do) and checked by the service's own ``_checked_update``, the rules
    of every single update (read-only and masked fields, parsing, required,
    choices, references, uniqueness, the module's rules, custom fields).
    ``ValidationError`` lists every problem with ``row`` = the item's position; a
    record missing, out of scope or no longer at its version has the code
    ``conflict``. The module's rules that read other rows (``_rules_with_others``:
    a contract's amount against its payments, a payment against its contract)
    run once over all the rows, each seeing the earlier ones as written (as one
    update after another would), without locks.

``writer.write_update(session, staged) -> list[int]``
    Writes it in the caller's write transaction: the records' parents locked
    first (the service's ``_lock_before_records``: contacts' customers, payments'
    contracts, in id order), then the records (PostgreSQL
    ``FOR NO KEY UPDATE``, SQLite's write lock) and refused as a ``conflict`` if any
    is no longer at the version staged; then ``_rules_with_others`` again, now
    against the locked state (a payment saved by someone else since the stage
    counts: every write of a payment, the service's and this writer's creates and
    updates alike, locks its contract ``FOR UPDATE`` before it writes, which
    waits for the update's lock, as for the single update); one ``UPDATE`` per
    set of changed fields (version + 1, ``updated_at``, ``updated_by_id``), the
    custom values, the module's ``_after_update_many`` (customers: the search
    index of those whose searched fields changed, only the differing rows;
    contacts: the search entries of every customer a contact joins or leaves
    or whose contact's name or phone changed), one "update" audit entry
    per changed record with the changed fields before and after. A record that
    changes nothing is not written and keeps its version (as with the service).
    Returns the versions after, in input order. ``writer.update_in(session,
    module, items)`` is the two in one transaction.

``writer.change_status(steps)`` / ``change_status_in(session, steps)``
    Customers' status workflow for many customers: steps
    ``{"customer_id", "status", "at"?, "contract_number"?, "note"?}``,
    checked against the allowed moves and the contract evidence, writing
    history, a "status" audit entry and a new version per step.

``writer.refresh_search_in(session, customer_ids)`` / ``writer.audit_in(session, module, action, entries)``
    Building blocks for callers with derived work of their own.
"""

from crm_core.bulk.writer import Block, BulkWriter, Chunk, Staged, StagedUpdate

__all__ = ["Block", "BulkWriter", "Chunk", "Staged", "StagedUpdate"]
