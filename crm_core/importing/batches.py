"""Import batches: the bookkeeping of an import written in chunks, listing batches, undoing one as a unit.

A batch is "running" from its first chunk until the import has written its
last one, then "done". If the import fails or is cancelled, what its earlier
chunks wrote is removed again (:func:`purge`) and the batch is "failed"; if
the process dies, the next sign-in finds the batch still "running" with a
dead process or a stale heartbeat and purges it (:func:`recover_interrupted`).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from crm_core.bulk.rows import insert_rows
from crm_core.db.base import utcnow
from crm_core.errors import ConcurrencyConflict, FieldError, NotFound, ValidationError
from crm_core.i18n import Text
from crm_core.models import CustomFieldDefinition, CustomFieldValue, ImportBatch, ImportBatchRecord, User
from crm_core.services.audit import write_audit
from crm_core.services.context import Context

log = logging.getLogger(__name__)
# A running batch whose writer has not been heard of for this long is taken for dead (another host's crash).
STALE_AFTER = dt.timedelta(minutes=10)
RECORDS = ImportBatchRecord.__table__
RECORD_COLUMNS = ("batch_id", "record_id", "version", "module", "action", "before")
RESTORE_PART = 1000  # updated records given their values back per statement (and per purge transaction)


def start(ctx: Context, module: str, file_name: str) -> int:
    """A new "running" batch, in its own short transaction; returns its id."""
    with ctx.db.unit_of_work(write=True) as s:
        batch = ImportBatch(module=module, file_name=file_name[:255], rows=0, created_by_id=ctx.actor.user_id,
                            state="running", host=socket.gethostname()[:255], pid=os.getpid(), heartbeat_at=utcnow())
        s.add(batch)
        s.commit()
        return batch.id


def add_records(s: Session, batch_id: int, rows: list[dict[str, Any]]) -> None:
    """Record what a chunk wrote (``batch_id``, ``record_id``, ``version``, ``module``, ``action``, ``before``),
    and count its records of the batch's own module (``module`` None) into the running batch's ``rows``, in the
    same transaction (:func:`written`)."""
    if rows:
        # Many rows per statement (COPY on PostgreSQL), as the records themselves are written: an
        # executemany here took a quarter of the 100,000-row import's SQL statements' Python time.
        defaults = {"batch_id": batch_id, "module": None, "action": "create", "before": None}
        insert_rows(s, RECORDS, RECORD_COLUMNS, [tuple(map({**defaults, **r}.get, RECORD_COLUMNS)) for r in rows])
    own = sum(1 for r in rows if r.get("module") is None)
    s.execute(update(ImportBatch).where(ImportBatch.id == batch_id)
              .values(heartbeat_at=utcnow(), rows=ImportBatch.rows + own))


def written(s: Session, batch_id: int) -> int:
    """How many records of its own module a running batch has written, as ``s`` sees them: one row read by its
    key, whatever the batch's size (counting its records read all of them again at every call: PostgreSQL
    reached them through the index on ``batch_id`` alone, 30 ms a call at 100,000 rows, twice per 500 rows)."""
    return s.scalar(select(ImportBatch.rows).where(ImportBatch.id == batch_id)) or 0


def finish(ctx: Context, batch_id: int, created: int, updated: int) -> None:
    """Mark the batch done and log the import (the records' own create/update entries are written with them)."""
    with ctx.db.unit_of_work(write=True) as s:
        batch = s.get(ImportBatch, batch_id)
        batch.state, batch.rows, batch.updated, batch.heartbeat_at = "done", created, updated, utcnow()
        write_audit(s, ctx.actor, "import", batch.module, None, None,
                    {"batch_id": batch.id, "file_name": batch.file_name, "rows": created, "updated": updated})
        s.commit()


def purge(ctx: Context, batch_id: int, *, why: str) -> int:
    """Remove what a failed, cancelled or killed import wrote, chunk by chunk; the batch becomes "failed".

    Created records are deleted set-based (their status history and search entries go with them);
    updated records get their previous values back set-based through the service's update rules
    (:func:`restore_many`, a thousand per transaction). Returns how many records.
    """
    with ctx.db.unit_of_work(write=True) as s:
        batch = s.get(ImportBatch, batch_id)
        if batch is None or batch.state != "running":
            return 0
        module, file_name = batch.module, batch.file_name
        rows = s.execute(select(ImportBatchRecord.record_id, ImportBatchRecord.module, ImportBatchRecord.action,
                                ImportBatchRecord.before).where(ImportBatchRecord.batch_id == batch_id)
                         .order_by(ImportBatchRecord.id.desc())).all()
    removed = 0
    updated: dict[str, list[tuple[int, int | None, dict[str, Any] | None]]] = {}
    for rid, rmodule, action, before in rows:
        if action == "update":
            updated.setdefault(rmodule or module, []).append((rid, None, before))
    for target, records in updated.items():
        for i in range(0, len(records), RESTORE_PART):  # short transactions: other clients keep saving
            with ctx.db.unit_of_work(write=True) as s:
                restore_many(s, ctx, target, records[i:i + RESTORE_PART])
                s.commit()
            removed += len(records[i:i + RESTORE_PART])
    created = [(rid, rmodule or module) for rid, rmodule, action, _ in rows if action == "create"]
    customers_going = {rid for rid, m in created if m == "customers"}
    # the companions (contacts) first: they refer to the main records
    for target in sorted({m for _, m in created}, key=lambda m: m == module):
        ids = [rid for rid, m in created if m == target]
        model = ctx.services[target].model
        for i in range(0, len(ids), 2000):
            part = ids[i:i + 2000]
            with ctx.db.unit_of_work(write=True) as s:
                defs = select(CustomFieldDefinition.id).where(CustomFieldDefinition.module == target)
                s.execute(delete(CustomFieldValue).where(CustomFieldValue.definition_id.in_(defs),
                                                         CustomFieldValue.record_id.in_(part)))
                customers = s.execute(select(model.customer_id).where(model.id.in_(part))).scalars().all() \
                    if target == "contacts" else []
                s.execute(delete(model).where(model.id.in_(part)).execution_options(synchronize_session=False))
                staying = sorted(set(customers) - customers_going)
                if staying:  # contacts created on customers the import updated: their search entries lose them
                    from crm_core.bulk.writer import BulkWriter

                    BulkWriter(ctx.db, ctx.actor).refresh_search_in(s, staying)
                s.commit()
            removed += len(part)
    with ctx.db.unit_of_work(write=True) as s:
        s.execute(update(ImportBatch).where(ImportBatch.id == batch_id).values(state="failed", heartbeat_at=utcnow()))
        write_audit(s, ctx.actor, "import_rolled_back", module, None, None,
                    {"batch_id": batch_id, "file_name": file_name, "records": removed, "why": why})
        s.commit()
    return removed


def restore_many(s: Session, ctx: Context, module: str, records: list[tuple[int, int | None, dict[str, Any] | None]]) -> None:
    """:func:`restore` of many records ``(id, version the batch left or None, before)`` in the caller's unit of
    work, set-based through the bulk update path (the service's update rules, audit, search index). ``version``
    None (a purge): whatever version the record has now; a record gone since is skipped. Else (an undo): a
    record no longer at it raises ``ConcurrencyConflict`` / ``NotFound`` naming it.
    """
    from crm_core.bulk.writer import BulkWriter

    service = ctx.services[module]
    required = {d.key for d in service._definitions(s) if d.required}
    one_by_one, items = [], []
    for rid, version, before in records:
        changes = dict(before or {})
        custom = changes.get("custom")
        # an empty value going back into a field that became required: only the single path's exception does it
        # A purge (version None) goes record by record, unscoped as before: it may run at another user's sign-in
        # (recover_interrupted), whose scope need not hold the records the interrupted import updated.
        if version is None or any(
                v is None and k in required for k, v in (custom or {}).items()):
            one_by_one.append((rid, version, before))
        else:
            items.append((rid, version, changes))
    # The parents of all of them first, in id order (contacts: their customers, and those they go back to), as
    # every writer locks them: one at a time in the records' order could wait in a circle with a merge.
    service._lock_before_records(s, sorted(rid for rid, _, _ in records),
                                 [dict(before or {}) for _, _, before in records])
    if items:
        try:
            BulkWriter(ctx.db, ctx.actor).update_in(s, module, items)
        except ValidationError as exc:
            conflicts = [e for e in exc.errors if e.code == "conflict"]
            if not conflicts:
                raise
            rid = items[conflicts[0].row or 0][0]
            # an undo (a purge never comes here): the record changed since the import
            raise ConcurrencyConflict(conflicts[0].message, module=module, record_id=rid, current=None) from None
    for rid, version, before in one_by_one:
        if version is None:
            obj = s.get(service.model, rid)
            if obj is None:
                continue
        else:
            try:
                obj = service._load(s, rid, for_update=True)  # (its parents locked above)
            except NotFound as exc:
                raise ConcurrencyConflict(exc.message, module=module, record_id=rid, current=None) from None
            service._check_version(s, obj, version)
        restore(s, service, obj, before)


def restore(s: Session, service: Any, obj: Any, before: dict[str, Any] | None) -> None:
    """Give an updated record its values from before the import back, custom field values included.

    Through the service's update path (checks, audit, a new version). A custom value that was empty
    before goes back to empty even where the field has become required since (the update path would
    refuse an empty required value): that is the state the import found, not a new entry.
    """
    changes = dict(before or {})
    custom = dict(changes.pop("custom", None) or {})
    required = {d.key: d for d in service._definitions(s) if d.required}
    cleared = {key: required[key] for key, value in custom.items() if value is None and key in required}
    given = {key: value for key, value in custom.items() if key not in cleared}
    if given:
        changes["custom"] = given
    service._update_in(s, obj, changes)
    if cleared:
        changed = service._save_custom(s, obj.id, {d.id: None for d in cleared.values()})
        if changed:
            service._touch(obj)
            service._flush(s, obj)
            service._audit(s, "update", obj.id, changed["before"], changed["after"])


def recover_interrupted(ctx: Context) -> list[int]:
    """Roll back imports whose process died half-way (same host and its pid gone, or a stale heartbeat).

    Called at sign-in; returns the batches rolled back. A failure is logged, not raised: the next
    sign-in tries again, and the half-written batch is never listed as an import.
    """
    from crm_core.permissions import ALL_MODULES, Action, rights

    role = rights(ctx.actor.role)
    if not any(role.may(m, Action.IMPORT) for m in ALL_MODULES):
        return []  # imports nothing, so sees no batches (a database login is not even granted the table)
    host, now = socket.gethostname()[:255], utcnow()
    try:
        with ctx.db.unit_of_work(write=False) as s:
            running = s.execute(select(ImportBatch.id, ImportBatch.host, ImportBatch.pid, ImportBatch.heartbeat_at)
                                .where(ImportBatch.state == "running")).all()
    except Exception:  # noqa: BLE001 - sign-in must go on; the next one retries
        log.exception("could not look for interrupted import batches")
        return []
    dead = [bid for bid, bhost, pid, beat in running
            if (bhost == host and pid is not None and not _alive(pid)) or beat is None or now - beat > STALE_AFTER]
    done = []
    for bid in dead:
        try:
            purge(ctx, bid, why="interrupted")
            done.append(bid)
        except Exception:  # noqa: BLE001 - sign-in must go on; the next one retries
            log.exception("could not roll back interrupted import batch %s", bid)
    return done


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def list_batches(s: Session, modules: list[str], only_user: int | None) -> list[dict[str, Any]]:
    """Finished batches of ``modules``, newest first (only those ``only_user`` ran, when given)."""
    stmt = (select(ImportBatch, User.name).outerjoin(User, User.id == ImportBatch.created_by_id)
            .where(ImportBatch.module.in_(modules), ImportBatch.state == "done").order_by(ImportBatch.id.desc()))
    if only_user is not None:
        stmt = stmt.where(ImportBatch.created_by_id == only_user)
    return [{"id": b.id, "module": b.module, "file_name": b.file_name, "rows": b.rows, "updated": b.updated,
             "created_at": b.created_at, "created_by": name, "created_by_id": b.created_by_id,
             "undone_at": b.undone_at} for b, name in s.execute(stmt)]


def load_batch(s: Session, batch_id: int) -> ImportBatch:
    batch = s.get(ImportBatch, batch_id, with_for_update=True)
    if batch is None or batch.state != "done":
        raise NotFound(Text(f"导入批次 {batch_id} 不存在。", f"Import batch {batch_id} does not exist."))
    if batch.undone_at is not None:
        raise ValidationError([FieldError("batch", "undone", Text("该导入已撤销过。", "This import was already undone."))])
    return batch
