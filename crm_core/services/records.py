"""Records as callers see them: plain dicts, masked for the actor, with display names."""

from __future__ import annotations

from operator import attrgetter
from typing import Any

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from crm_core.metadata import Field, FieldType
from crm_core.permissions import sees
from crm_core.services import masked as masked_columns
from crm_core.services import values as val


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
        """Plain, masked records with display names for references.

        ``objs`` are ORM objects, or rows read as plain columns in :meth:`_plain_columns` order
        (a list page: no ORM object is built for a row that only becomes a dict).
        """
        names, masks, columns_only = self._record_plan()
        if objs and isinstance(objs[0], Row):
            values: Any = objs
        elif columns_only:
            values = map(attrgetter(*names), objs) if len(names) > 1 else ((getattr(o, names[0]),) for o in objs)
        else:
            values = (tuple(getattr(o, n, None) for n in names) for o in objs)
        records = []
        for row in values:
            rec = dict(zip(names, row))
            masked = []
            for name, f in masks:
                if rec[name] is not None:
                    rec[name] = val.mask(f, rec[name])
                    masked.append(name)
            rec["_masked"] = masked
            records.append(rec)
        self._add_ref_displays(s, records)
        self._add_custom_values(s, records)
        return records

    def _record_plan(self) -> tuple[tuple[str, ...], list[tuple[str, Field]], bool]:
        """(field names, the fields the actor reads masked, whether every field is a column), once per role."""
        role = self.ctx.actor.role
        plan = self.__dict__.get("_plan")
        if plan is None or plan[0] != role:
            names = tuple(self.spec.all_fields)
            masks = [(n, f) for n, f in self.spec.all_fields.items() if f.sensitive and not sees(role, f.sensitive)]
            columns = set(sa_inspect(self.model).columns.keys())
            plan = self.__dict__["_plan"] = (role, names, masks, all(n in columns for n in names))
        return plan[1], plan[2], plan[3]

    def _plain_columns(self, s: Session) -> list[Any] | None:
        """The columns a page reads as plain rows (in :meth:`_records` order), or None to read ORM objects:
        where the database hides columns from this login (they are loaded masked by the ORM hook of
        :mod:`crm_core.services.masked`) or a field is not a column."""
        names, _, columns_only = self._record_plan()
        if not columns_only or masked_columns.hidden_columns(s).get(self.model.__tablename__):
            return None
        return [getattr(self.model, n) for n in names]


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


    def display_names(self, s: Session, ids: set[int]) -> dict[int, str]:
        """Id -> the text that names each record (unscoped: names only, for display)."""
        col = getattr(self.model, self.spec.title_field)
        return {i: str(t) for i, t in s.execute(select(self.model.id, col).where(self.model.id.in_(ids)))}
