"""What refers to a record (so it cannot be deleted), and which unique constraint a write broke."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Column, Table, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm_core.i18n import Text
from crm_core.models import Base
from crm_core.permissions import MODULE_NAMES

# Tables that are not modules of their own, named for "in use" messages.
TABLE_NAMES: dict[str, Text] = {
    "audit_log": Text("操作日志", "Audit log entries"),
    "import_batches": Text("导入批次", "Import batches"),
    "app_settings": Text("系统设置", "Settings"),
    "customer_status_changes": Text("客户状态变更记录", "Customer status changes"),
    "customer_shares": Text("客户共享", "Customer shares"),
    "ticket_log_entries": Text("处理过程记录", "Ticket log entries"),
    "contract_attachments": Text("合同附件", "Contract attachments"),
    "licensed_machines": Text("授权电脑", "Licensed machines"),
    "erasure_log": Text("删除个人信息记录", "Erasure log entries"),
    "custom_field_values": Text("自定义字段值", "Custom field values"),
    "followups": MODULE_NAMES["followups"],
}


def table_label(name: str) -> Text:
    return TABLE_NAMES.get(name) or MODULE_NAMES.get(name) or Text(name, name)


def _blocking_columns(table: Table) -> Iterator[tuple[Table, Column[Any]]]:
    """(table, column) of every foreign key to ``table`` that stops a delete (CASCADE / SET NULL ones are
    parts of the record, not uses of it)."""
    for other in Base.metadata.sorted_tables:
        for fk in other.foreign_keys:
            if fk.column.table is table and (fk.ondelete or "").upper() not in {"CASCADE", "SET NULL"}:
                yield other, fk.parent


def blocking_references(s: Session, table: Table, record_id: int) -> dict[str, tuple[Text, int]]:
    """Count rows in other tables whose foreign keys would stop ``record_id`` being deleted.

    Foreign keys with ON DELETE CASCADE / SET NULL are parts of the record,
    not uses of it, and are skipped. Derived from the schema, so a new table
    is covered without anyone remembering to list it.
    """
    found: dict[str, tuple[Text, int]] = {}
    for other, col in _blocking_columns(table):
        if other is table and col.name in {"created_by_id", "updated_by_id"}:
            # a user who created other users is "in use" by those rows only if they are others
            n = s.scalar(select(func.count()).select_from(other).where(col == record_id, other.c.id != record_id))
        else:
            n = s.scalar(select(func.count()).select_from(other).where(col == record_id))
        if n:
            label = table_label(other.name)
            prev = found.get(other.name, (label, 0))[1]
            found[other.name] = (label, max(prev, int(n)))
    return found


def blocking_references_many(s: Session, table: Table, record_ids: list[int]) -> dict[str, tuple[Text, int]]:
    """:func:`blocking_references` for many records at once (one query per referencing column and 1,000 ids)."""
    found: dict[str, tuple[Text, int]] = {}
    for other, col in _blocking_columns(table):
        n = 0
        for i in range(0, len(record_ids), 1000):
            part = record_ids[i:i + 1000]
            cond = col.in_(part) if other is not table else col.in_(part) & other.c.id.not_in(part)
            n += int(s.scalar(select(func.count()).select_from(other).where(cond)) or 0)
        if n:
            label = table_label(other.name)
            found[other.name] = (label, max(found.get(other.name, (label, 0))[1], n))
    return found


_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (\w+)\.(\w+)")


def unique_violation(exc: IntegrityError, table: Table) -> str | None:
    """The column of ``table`` whose unique constraint ``exc`` reports, if it is one."""
    text = str(exc.orig)
    m = _SQLITE_UNIQUE.search(text)
    if m and m.group(1) == table.name:
        return m.group(2)
    diag = getattr(exc.orig, "diag", None)
    name = getattr(diag, "constraint_name", None) or ""
    prefix = f"uq_{table.name}_"
    if name.startswith(prefix):
        return name[len(prefix):]
    return None
