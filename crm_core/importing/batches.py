"""Import batches: recording what an import created, listing batches, and undoing one as a unit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.db.base import utcnow
from crm_core.errors import ConcurrencyConflict, FieldError, InUse, NotFound, ValidationError
from crm_core.i18n import Text
from crm_core.models import ImportBatch, ImportBatchRecord, User
from crm_core.services.audit import write_audit
from crm_core.services.context import Context


def record_batch(s: Session, ctx: Context, module: str, file_name: str, created: list[Any]) -> int:
    """Store the batch and its records (with their versions now) and log the import; returns the batch id."""
    batch = ImportBatch(module=module, file_name=file_name[:255], rows=len(created), created_by_id=ctx.actor.user_id)
    s.add(batch)
    s.flush()
    s.execute(ImportBatchRecord.__table__.insert(),
              [{"batch_id": batch.id, "record_id": o.id, "version": o.version} for o in created])
    write_audit(s, ctx.actor, "import", module, None, None,
                {"batch_id": batch.id, "file_name": batch.file_name, "rows": len(created)})
    return batch.id


def list_batches(s: Session, modules: list[str], only_user: int | None) -> list[dict[str, Any]]:
    """Batches of ``modules``, newest first (only those ``only_user`` ran, when given)."""
    stmt = (select(ImportBatch, User.name).outerjoin(User, User.id == ImportBatch.created_by_id)
            .where(ImportBatch.module.in_(modules)).order_by(ImportBatch.id.desc()))
    if only_user is not None:
        stmt = stmt.where(ImportBatch.created_by_id == only_user)
    return [{"id": b.id, "module": b.module, "file_name": b.file_name, "rows": b.rows, "created_at": b.created_at,
             "created_by": name, "created_by_id": b.created_by_id, "undone_at": b.undone_at} for b, name in s.execute(stmt)]


def load_batch(s: Session, batch_id: int) -> ImportBatch:
    batch = s.get(ImportBatch, batch_id, with_for_update=True)
    if batch is None:
        raise NotFound(Text(f"导入批次 {batch_id} 不存在。", f"Import batch {batch_id} does not exist."))
    if batch.undone_at is not None:
        raise ValidationError([FieldError("batch", "undone", Text("该导入已撤销过。", "This import was already undone."))])
    return batch


def undo_batch(s: Session, ctx: Context, batch: ImportBatch) -> int:
    """Delete the batch's records newest first through the service's delete path; returns how many.

    Raises:
        ValidationError: a record was changed, deleted or is referenced since the import; nothing is removed.
    """
    service = ctx.services[batch.module]
    records = s.execute(select(ImportBatchRecord.record_id, ImportBatchRecord.version)
                        .where(ImportBatchRecord.batch_id == batch.id).order_by(ImportBatchRecord.record_id.desc())).all()
    for record_id, version in records:
        try:
            service.delete_in(s, record_id, version=version)
        except (ConcurrencyConflict, NotFound):
            raise _refused("changed", Text(f"{service.spec.label.zh}（编号 {record_id}）在导入后已被修改或删除",
                                           f"{service.spec.label.en} #{record_id} was changed or deleted after the import")) from None
        except InUse as exc:
            raise _refused("in_use", exc.message) from None
        s.flush()
    batch.undone_at, batch.undone_by_id = utcnow(), ctx.actor.user_id
    write_audit(s, ctx.actor, "undo_import", batch.module, None, {"batch_id": batch.id, "rows": len(records)}, None)
    return len(records)


def _refused(code: str, why: Text) -> ValidationError:
    return ValidationError([FieldError("batch", code, Text(f"无法撤销该导入：{why.zh}。没有删除任何记录。",
                                                           f"Cannot undo this import: {why.en}. Nothing was removed."))])
