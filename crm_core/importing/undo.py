"""Undoing an import as one action: set-based, with the delete path's rules checked for every record.

Updated records get their previous values back through the bulk update path
(the service's update rules, a thousand records per statement, version checked:
:func:`batches.restore_many`). Created records are removed module by module (a
customer's contacts first) with what the service's delete checks, done for
the whole set at once: each record still at the version the import left, in
the actor's scope, and nothing else referring to it; then one audit "delete"
entry per record, as the delete path writes it. Any refusal leaves
everything as it was (one unit of work).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from crm_core.bulk.writer import BulkWriter
from crm_core.db.base import utcnow
from crm_core.errors import ConcurrencyConflict, FieldError, NotFound, ValidationError
from crm_core.i18n import Text
from crm_core.importing import batches
from crm_core.models import Contact, CustomFieldDefinition, CustomFieldValue, ImportBatch, ImportBatchRecord
from crm_core.services.audit import write_audit
from crm_core.services.context import Context
from crm_core.services.references import blocking_references_many

PART = 1000


class _Row:
    __slots__ = ("_d",)

    def __init__(self, d: dict[str, Any]):
        self._d = d

    def __getattr__(self, name: str) -> Any:
        return self._d.get(name)


def undo_batch(s: Session, ctx: Context, batch: ImportBatch) -> int:
    """Undo the batch; returns how many records were restored or removed.

    Raises:
        ValidationError: a record was changed, deleted or is referenced since the import; nothing is changed.
    """
    records = s.execute(select(ImportBatchRecord.record_id, ImportBatchRecord.version, ImportBatchRecord.module,
                               ImportBatchRecord.action, ImportBatchRecord.before)
                        .where(ImportBatchRecord.batch_id == batch.id)).all()
    updated: dict[str, list[tuple[int, int, Any]]] = {}
    for record_id, version, module, action, before in records:
        if action == "update":
            updated.setdefault(module or batch.module, []).append((record_id, version, before))
    for module, restored in updated.items():
        service = ctx.services[module]
        for i in range(0, len(restored), PART):
            try:
                batches.restore_many(s, ctx, module, restored[i:i + PART])
            except (ConcurrencyConflict, NotFound) as exc:
                raise _changed(service, getattr(exc, "record_id", None) or restored[i][0]) from None
    created: dict[str, dict[int, int]] = {}
    for record_id, version, module, action, _ in records:
        if action == "create":
            created.setdefault(module or batch.module, {})[record_id] = version
    writer = BulkWriter(ctx.db, ctx.actor)
    for module in sorted(created, key=lambda m: m == batch.module):  # companions first: they refer to the others
        _delete_module(s, ctx, writer, module, created[module], set(created.get("customers", {})))
    batch.undone_at, batch.undone_by_id = utcnow(), ctx.actor.user_id
    write_audit(s, ctx.actor, "undo_import", batch.module, None, {"batch_id": batch.id, "rows": len(records)}, None)
    return len(records)


def _delete_module(s: Session, ctx: Context, writer: BulkWriter, module: str, versions: dict[int, int],
                   customers_going: set[int]) -> None:
    service = ctx.services[module]
    model = service.model
    ids = sorted(versions)
    service._lock_before_records(s, ids)  # their parents first (contacts: the customers whose search entries change)
    objs: list[Any] = []
    for i in range(0, len(ids), PART):
        part = ids[i:i + PART]
        found = s.execute(select(model.__table__).where(model.id.in_(part), service._scope_condition())
                          .order_by(model.id).with_for_update()).mappings().all()  # id order, as every locker
        objs += [dict(r) for r in found]
    by_id = {o["id"]: o for o in objs}
    for rid in ids:
        if rid not in by_id or by_id[rid]["version"] != versions[rid]:
            raise _changed(service, rid)
    refs = blocking_references_many(s, model.__table__, ids)
    if refs:
        zh = "、".join(f"{label.zh} {n} 条" for label, n in refs.values())
        en = ", ".join(f"{n} {label.en.lower()}" for label, n in refs.values())
        raise _refused("in_use", Text(f"导入的{service.spec.label.zh}正在使用中（{zh}引用了它们）",
                                      f"imported {service.spec.label.en.lower()} records are in use ({en} refer to them)"))
    writer.audit_in(s, module, "delete", [(o["id"], service._snapshot(_Row(o)), None) for o in objs])
    defs = select(CustomFieldDefinition.id).where(CustomFieldDefinition.module == module)
    for i in range(0, len(ids), PART):
        part = ids[i:i + PART]
        s.execute(delete(CustomFieldValue).where(CustomFieldValue.definition_id.in_(defs),
                                                 CustomFieldValue.record_id.in_(part)))
        s.execute(delete(model).where(model.id.in_(part)).execution_options(synchronize_session=False))
    staying = {o["customer_id"] for o in objs} - customers_going if model is Contact else set()
    if staying:
        # those customers stay (a contact created on a customer the import updated): their search entries must
        # stop naming these contacts
        writer.refresh_search_in(s, sorted(staying))


def _changed(service: Any, record_id: int) -> ValidationError:
    return _refused("changed", Text(f"{service.spec.label.zh}（编号 {record_id}）在导入后已被修改或删除",
                                    f"{service.spec.label.en} #{record_id} was changed or deleted after the import"))


def _refused(code: str, why: Text) -> ValidationError:
    return ValidationError([FieldError("batch", code, Text(f"无法撤销该导入：{why.zh}。没有删除任何记录。",
                                                           f"Cannot undo this import: {why.en}. Nothing was removed."))])
