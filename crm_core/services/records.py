"""Records as callers see them: plain dicts, masked for the actor, with display names."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select
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
        if loaded:
            return self._listed_records(objs, role)
        for obj in objs:
            rec: dict[str, Any] = {}
            masked = []
            for name, f in self.spec.all_fields.items():
                value = getattr(obj, name, None)
                if f.sensitive and not sees(role, f.sensitive) and value is not None:
                    value = val.mask(f, value)
                    masked.append(name)
                rec[name] = value
            rec["_masked"] = masked
            records.append(rec)
        self._add_ref_displays(s, records)
        self._add_custom_values(s, records)
        return records

    def _listed_records(self, objs: list[LoadedRow], role: str) -> list[dict[str, Any]]:
        """:meth:`_records` of rows read by a list (names and custom values came with them).

        Every row of a page holds the same columns: what to copy and what to mask is
        worked out once per page, not once per cell.
        """
        first = objs[0]
        fields = [(name, f) for name, f in self.spec.all_fields.items() if name in first]  # those asked for
        masked_fields = [(name, f) for name, f in fields if f.sensitive and not sees(role, f.sensitive)]
        extras = [k for k in first if k.endswith("_display") or k == "custom"]
        order = [name for name, _ in fields]
        records = []
        for obj in objs:
            rec = {name: obj[name] for name in order}
            masked = []
            for name, f in masked_fields:
                value = obj[name]
                if value is not None:
                    rec[name] = val.mask(f, value)
                    masked.append(name)
            rec["_masked"] = masked
            for k in extras:
                rec[k] = obj[k]
            records.append(rec)
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
        stmt = self.__dict__.get("_display_names_statement")
        if stmt is None:  # kept: building it costs more than running it
            col = getattr(self.model, self.spec.title_field)
            stmt = self._display_names_statement = select(self.model.id, col).where(
                self.model.id.in_(bindparam("ids", expanding=True)))
        return {i: str(t) for i, t in s.execute(stmt, {"ids": list(ids)})}
