"""Custom fields (自定义字段): values validated against the admin's definitions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session

from crm_core.errors import ErrorCollector
from crm_core.i18n import Text
from crm_core.metadata import Field, FieldType
from crm_core.models import CustomFieldDefinition, CustomFieldValue
from crm_core.services import values as val

_TYPES = {"text": FieldType.TEXT, "integer": FieldType.INTEGER, "decimal": FieldType.MONEY,
          "date": FieldType.DATE, "choice": FieldType.CHOICE}
_CHOICE = FieldType.CHOICE  # (read once: an enum member read through its class is slow per value)


def as_field(d: CustomFieldDefinition) -> Field:
    """A custom field definition as a metadata :class:`Field`."""
    return Field(d.key, Text(d.label_zh, d.label_en), _TYPES[d.field_type], required=d.required,
                 max_length=d.max_length, dictionary=d.choices_category)


class CustomFieldsMixin:
    """Reads and writes ``record["custom"]`` for modules that have custom fields."""

    def _definitions(self, s: Session) -> list[CustomFieldDefinition]:
        cache = s.info.get("bulk_custom_definitions")  # set by set-based checks (the importer), one query per import
        if cache is not None:
            if self.spec.module not in cache:
                cache[self.spec.module] = self._definitions_query(s)
            return cache[self.spec.module]
        return self._definitions_query(s)

    def _definitions_query(self, s: Session) -> list[CustomFieldDefinition]:
        return list(s.scalars(select(CustomFieldDefinition).where(
            CustomFieldDefinition.module == self.spec.module, CustomFieldDefinition.is_active.is_(True))
            .order_by(CustomFieldDefinition.sort_order, CustomFieldDefinition.id)))

    # --- the definitions a list reads, cached for the session --------------------------------

    def definitions_stamp(self) -> Any:
        """A scalar subquery that changes whenever the module's definitions change.

        Adding, editing (the version goes up, ``updated_at`` moves), deactivating or
        deleting a definition changes the count, the highest id, the sum of versions or
        the latest ``updated_at``. A list puts it beside its rows (evaluated once per
        statement), so every client learns of an admin's change at its next page,
        without a statement of its own and without a waiting time (no TTL).
        """
        cached = self.__dict__.get("_stamp_expression")
        if cached is not None:
            return cached
        d = CustomFieldDefinition
        parts = [func.count(d.id), func.coalesce(func.max(d.id), 0), func.coalesce(func.sum(d.version), 0),
                 func.coalesce(cast(func.max(d.updated_at), String), "")]
        stamp = cast(parts[0], String)
        for part in parts[1:]:
            stamp = stamp + ":" + cast(part, String)
        cached = select(stamp).where(d.module == self.spec.module).scalar_subquery().label("_definitions_stamp")
        self._stamp_expression = cached
        return cached

    def _listed_definitions(self, s: Session) -> tuple[str | None, list[CustomFieldDefinition]]:
        """(stamp, active definitions) as last read by this session; read once if never read."""
        cached = getattr(self, "_definitions_cache", None)
        if cached is None:
            stamp = s.scalar(select(self.definitions_stamp()))
            cached = (stamp, self._definitions_query(s))
            for d in cached[1]:
                s.expunge(d)  # kept beyond this unit of work: plain values, never written through
            self._definitions_cache = cached
        return cached

    def _forget_definitions(self) -> None:
        self._definitions_cache = None

    def _use_listed_definitions(self, s: Session, stamp: str | None) -> None:
        """Let the unit of work ``s`` use the definitions last read if ``stamp`` (read in ``s``) is theirs.

        Else they are read again (with their stamp) for the next call. Either way the
        definitions used are those the stamp read in this transaction stands for.
        """
        cached = getattr(self, "_definitions_cache", None)
        if cached is None or cached[0] != stamp:
            self._forget_definitions()
            cached = self._listed_definitions(s)
            if cached[0] != stamp:  # changed between the two reads (PostgreSQL): read them in this unit
                return
        s.info.setdefault("bulk_custom_definitions", {})[self.spec.module] = cached[1]

    def _parse_custom(self, s: Session, custom: dict[str, Any] | None, record_id: int | None,
                      errors: ErrorCollector, *, stored: dict[int, str | None] | None = None) -> dict[int, str | None]:
        """Definition id -> canonical text, for the keys given (and required ones on create).

        ``stored``: the record's stored values (definition id -> text) when the caller read them already
        (the importer, one query for a whole file); otherwise they are read here for ``record_id``.
        """
        defs = self._definitions(s)
        if not defs and not custom:
            return {}
        custom = dict(custom or {})
        by_key = {d.key: d for d in defs}
        if stored is None:
            stored = {} if record_id is None else dict(s.execute(
                select(CustomFieldValue.definition_id, CustomFieldValue.value).where(
                    CustomFieldValue.record_id == record_id,
                    CustomFieldValue.definition_id.in_([d.id for d in defs]))).all())
        out: dict[int, str | None] = {}
        for key in custom:
            if key not in by_key:
                errors.add(f"custom.{key}", "unknown_field", Text(f"未知自定义字段“{key}”", f"unknown custom field '{key}'"))
        for d in defs:
            if d.key not in custom:
                if record_id is None and d.required:
                    errors.add(f"custom.{d.key}", "required", Text(f"{d.label_zh}：不能为空", f"{d.label_en}: is required"))
                continue
            known = s.info.setdefault("custom_as_field", {})  # one Field per definition and unit of work
            field = known.get((d.id, d.version))
            if field is None:
                field = known[(d.id, d.version)] = as_field(d)
            try:
                value = val.parse_value(field, custom[d.key])
            except val.v.FieldProblem as exc:
                errors.add(f"custom.{d.key}", exc.code, Text(f"{d.label_zh}：{exc.zh}", f"{d.label_en}: {exc.en}"))
                continue
            if value is None and d.required:
                errors.add(f"custom.{d.key}", "required", Text(f"{d.label_zh}：不能为空", f"{d.label_en}: is required"))
                continue
            if value is not None and field.type is _CHOICE and value != stored.get(d.id):
                # (an unchanged value stays valid after its dictionary entry is deactivated)
                if value not in self.ctx.services.dictionary.codes(s, d.choices_category or ""):
                    errors.add(f"custom.{d.key}", "choice", Text(f"{d.label_zh}：“{value}”不是可选值",
                                                                 f"{d.label_en}: '{value}' is not one of the choices"))
                    continue
            out[d.id] = None if value is None else str(val.to_plain(value))
        return out

    def _save_custom(self, s: Session, record_id: int, values: dict[int, str | None]) -> dict[str, dict]:
        """Store custom values; returns {"before": {...}, "after": {...}} of what changed (empty if nothing)."""
        if not values:
            return {}
        existing = {cv.definition_id: cv for cv in s.scalars(select(CustomFieldValue).where(
            CustomFieldValue.record_id == record_id, CustomFieldValue.definition_id.in_(values)))}
        keys = {d.id: d.key for d in self._definitions(s)}
        before, after = {}, {}
        for def_id, value in values.items():
            cv = existing.get(def_id)
            old = cv.value if cv else None
            if old == value:
                continue
            if cv is None:
                s.add(CustomFieldValue(definition_id=def_id, record_id=record_id, value=value))
            else:
                cv.value = value
            before[f"custom.{keys[def_id]}"], after[f"custom.{keys[def_id]}"] = old, value
        return {"before": before, "after": after} if after else {}

    def _add_custom_values(self, s: Session, records: list[dict[str, Any]]) -> None:
        defs = self._definitions(s) if records else []
        if not defs:
            return
        keys = {d.id: d.key for d in defs}
        ids = [r["id"] for r in records]
        # every defined field is present, None where the record has no value yet
        values: dict[int, dict[str, str | None]] = {i: {d.key: None for d in defs} for i in ids}
        for cv in s.scalars(select(CustomFieldValue).where(
                CustomFieldValue.definition_id.in_(keys), CustomFieldValue.record_id.in_(ids))):
            values[cv.record_id][keys[cv.definition_id]] = cv.value
        for r in records:
            r["custom"] = values[r["id"]]

    def custom_fields(self) -> list[Field]:
        """The module's active custom fields as metadata :class:`Field` values, in form order.

        Field descriptions, like the module's own ``spec``: what a record's
        ``custom`` dict holds (exports name them "custom.<key>").
        """
        with self.ctx.db.unit_of_work(write=False) as s:
            return [as_field(d) for d in self._definitions(s)]
