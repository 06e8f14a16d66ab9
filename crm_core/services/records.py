"""Records as callers see them: plain dicts, masked for the actor, with display names."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from crm_core.metadata import Field, FieldType
from crm_core.permissions import sees
from crm_core.services import values as val


class LoadedRow(dict):
    """A listed row read without the ORM: column values by name, also as attributes (``row.name``).

    What :meth:`RecordsMixin._records` takes instead of loaded objects; it may also
    carry ``<field>_display`` names and the ``custom`` values read in the same statement.
    """

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


class RecordsMixin:
    """Turns rows into plain records (needs ``spec``, ``model``, ``ctx`` and ``_add_custom_values``)."""

    def _snapshot(self, obj: Any) -> dict[str, Any]:
        """The record for the audit log: plain values, sensitive ones always masked."""
        out = {}
        for f in self.spec.fields:
            value = getattr(obj, f.name)
            out[f.name] = val.to_plain(val.mask(f, value) if f.sensitive else value)
        if hasattr(obj, "is_active"):
            out["is_active"] = obj.is_active
            out["deactivated_reason"] = obj.deactivated_reason
        return out


    def _records(self, s: Session, objs: list[Any]) -> list[dict[str, Any]]:
        """Plain, masked records with display names for references."""
        role = self.ctx.actor.role
        records = []
        loaded = bool(objs) and isinstance(objs[0], LoadedRow)
        extras = [k for k in objs[0] if k.endswith("_display") or k == "custom"] if loaded else []
        for obj in objs:
            rec: dict[str, Any] = {}
            masked = []
            for name, f in self.spec.all_fields.items():
                if loaded:
                    if name not in obj:
                        continue  # a field the caller did not ask for
                    value = obj[name]
                else:
                    value = getattr(obj, name, None)
                if f.sensitive and not sees(role, f.sensitive) and value is not None:
                    value = val.mask(f, value)
                    masked.append(name)
                rec[name] = value
            rec["_masked"] = masked
            if loaded:  # names and custom values came with the row
                for k in extras:
                    rec[k] = obj[k]
            records.append(rec)
        if not loaded:
            self._add_ref_displays(s, records)
            self._add_custom_values(s, records)
        return records


    def _add_ref_displays(self, s: Session, records: list[dict[str, Any]]) -> None:
        """``<field>_display`` for every reference field: one query per referenced module."""
        by_module: dict[str, list[Field]] = {}
        for f in self.spec.all_fields.values():
            if f.type is FieldType.REF and records:
                by_module.setdefault(f.ref or "", []).append(f)
        for module, fields in by_module.items():
            ids = {r[f.name] for f in fields for r in records if r.get(f.name) is not None}
            names: dict[int, str] = self.ctx.services[module].display_names(s, ids) if ids else {}
            for r in records:
                for f in fields:
                    r[f"{f.name}_display"] = names.get(r.get(f.name))


    def display_expression(self, record_id: Any) -> Any:
        """SQL for the text that names the record ``record_id`` (a column of another table) points to.

        The same text as :meth:`display_names`, as a scalar subquery a list puts beside
        its own columns: the names come in the same statement as the rows.
        """
        target = aliased(self.model)
        return select(getattr(target, self.spec.title_field)).where(target.id == record_id).scalar_subquery()

    def display_names(self, s: Session, ids: set[int]) -> dict[int, str]:
        """Id -> the text that names each record (unscoped: names only, for display)."""
        col = getattr(self.model, self.spec.title_field)
        return {i: str(t) for i, t in s.execute(select(self.model.id, col).where(self.model.id.in_(ids)))}
