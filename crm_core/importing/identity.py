"""Stored records named by the values of several fields at once, read once for a file (no query per row).

Two uses: a contact has no unique field, but its customer, name and phone name one person (the twin rule's
identity, ``EntitySpec.identity``), so a re-imported contacts list can update the contacts it names; a payment
has no number at all, so a row with the contract, date and amount of a payment already recorded
(``EntitySpec.repeats``) is most likely the same payment imported again.

A row's key is its values parsed as the services parse them (references as the ids the file's texts resolve
to, in the actor's scope; names stripped; phones normalised as stored), so it matches what the twin rule
compares. The records are read by IN lists over the file's referenced ids and, for text fields, the file's
texts (indexed columns: ``ix_contacts_customer_id``, ``ix_payments_contract_id``), in the actor's row scope:
a record he may not read is never found.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.importing.lookups import IN_PART, Lookups
from crm_core.importing.reader import Table, cell_text
from crm_core.metadata import FieldType
from crm_core.services import values as val

Key = tuple[Any, ...]


class RecordIndex:
    """The module's stored records (in the actor's scope) by the values of ``names``, for the file's rows."""

    def __init__(self, s: Session, service: Any, names: tuple[str, ...], table: Table, column_of: dict[str, int],
                 lookups: Lookups, *, active_only: bool, columns: Iterable[Any] | None = None):
        """``columns``: what to read of each record (default the whole record); ``active_only``: deactivated
        records are left out."""
        self.names = names
        self.fields = [service.spec.field(n) for n in names]
        self.records: dict[Key, list[Any]] = {}
        model = service.model
        filters: list[tuple[Any, list[Any]]] = []
        for f in self.fields:
            if f.type is FieldType.REF and f.ref:
                index = lookups.refs.get(f.ref)
                filters.append((getattr(model, f.name), sorted(index.active) if index is not None else []))
            elif f.type is FieldType.TEXT:
                col = column_of[f.name]
                texts = {cell_text(r[col]).strip() for r in table.rows if col < len(r) and r[col] is not None}
                filters.append((getattr(model, f.name), sorted(t for t in texts if t and "\x00" not in t)))
        if any(not values for _, values in filters):
            return  # a field no row gives: no record can match
        base = select(*(columns or (model,))).where(service._scope_condition()).order_by(model.id)
        if getattr(model, "erased_at", None) is not None:
            base = base.where(model.erased_at.is_(None))  # an erased person's data is no longer his
        if active_only:
            base = base.where(model.is_active.is_(True))
        for stmt in _parts(base, filters):
            for found in (s.execute(stmt) if columns else s.scalars(stmt)):
                key = tuple(getattr(found, n) for n in names)
                if all(v is not None for v in key):
                    self.records.setdefault(key, []).append(found)

    def key_of(self, values: dict[str, Any]) -> Key | None:
        """The row's key from its converted cells, parsed as the service parses them; None when a part is
        blank or not valid (the row's own checks report that)."""
        key = []
        for f in self.fields:
            value = values.get(f.name)
            if value is None:
                return None
            if f.type is not FieldType.REF:
                try:
                    value = val.parse_value(f, value)
                except val.v.FieldProblem:
                    return None
                if value is None:
                    return None
            key.append(value)
        return tuple(key)

    def get(self, key: Key | None) -> list[Any]:
        """The stored records with this key, in id order."""
        return self.records.get(key, []) if key is not None else []


def _parts(base: Any, filters: list[tuple[Any, list[Any]]]) -> Iterable[Any]:
    """``base`` restricted by every filter's IN list, each list in parts of :data:`IN_PART` (their product)."""
    stmts = [base]
    for column, values in filters:
        stmts = [stmt.where(column.in_(values[i:i + IN_PART])) for stmt in stmts for i in range(0, len(values), IN_PART)]
    return stmts
