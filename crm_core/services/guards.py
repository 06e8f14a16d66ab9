"""The guards of the generic write path (mixed into EntityService).

What every create, update and delete goes through once it has the values:
field checks (required, choices, references, uniqueness, then the module's
own rules), the version check and the conflict it raises, the active-record
rule, and the commit that turns database refusals (unique, foreign keys,
stale versions) into the typed errors the client shows.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from crm_core.db.base import utcnow
from crm_core.errors import (ConcurrencyConflict, ErrorCollector, FieldError, InUse, PermissionDenied, RecordInactive,
                             ValidationError)
from crm_core.i18n import Text
from crm_core.metadata import Field, FieldType
from crm_core.permissions import Action, pickable_roles, rights
from crm_core.services import values as val
from crm_core.services.audit import write_audit
from crm_core.services.references import blocking_references, unique_violation

# Tables that record what happened rather than business records: named in "in use" messages last.
BOOKKEEPING = frozenset({"audit_log", "import_batches", "app_settings", "erasure_log", "customer_status_changes",
                         "ticket_log_entries", "backup_runs"})


# Set-based checks (the importer) put what they fetched in bulk into the unit of work's
# ``s.info`` under these keys, so every row still goes through the same rules here:
# BULK_REFS: {module: {id: (is_active, role, name) or None when not visible}} (missing ids are looked up and added);
# BULK_UNIQUE: {(module, field): {value: id}} holding every value of the rows being checked.
BULK_REFS = "bulk_refs"
BULK_UNIQUE = "bulk_unique"
# Set while a caller checks many records and runs the module's _rules_with_others itself, over all of them
# at once (BulkWriter.stage_update, then write_update again under lock): the record-by-record checks skip it.
RULES_WITH_OTHERS_LATER = "rules_with_others_later"


@contextmanager
def rules_with_others_later(s: Session) -> Iterator[None]:
    """Within it, the record-by-record checks on ``s`` leave out the module's ``_rules_with_others``: the
    caller runs them itself over all the records at once (:data:`RULES_WITH_OTHERS_LATER`)."""
    before = s.info.get(RULES_WITH_OTHERS_LATER)
    s.info[RULES_WITH_OTHERS_LATER] = True
    try:
        yield
    finally:
        s.info[RULES_WITH_OTHERS_LATER] = before

# An enum member read through its class costs about half a microsecond (EnumType.__getattr__ in 3.11):
# the per-record checks compare with these instead.
_CHOICE = FieldType.CHOICE
_REF = FieldType.REF


def _pickable(s: Session, pick: str) -> tuple[str, ...]:
    """:func:`pickable_roles`, worked out once per unit of work (an import checks it for every row)."""
    cache = s.info.setdefault("pickable_roles", {})
    roles = cache.get(pick)
    if roles is None:
        roles = cache[pick] = pickable_roles(pick)
    return roles


class WriteGuardsMixin:
    """Checks, version guard and commit of :class:`~crm_core.services.entity.EntityService`."""

    def _check_common(self, s: Session, full: dict[str, Any], obj: Any | None, errors: ErrorCollector,
                      changed: set[str] | None = None) -> None:
        """Required fields, choices, references and uniqueness, then the module rules."""
        reported = {e.field for e in errors.errors}
        for field, name, required, kind in self._checked_fields():
            if changed is not None and name not in changed:
                continue  # only re-check what this update touches
            if name in reported:
                continue  # its value was refused while parsing: "required" would be a second, wrong message
            value = full.get(name)
            if required and (value is None or (isinstance(value, str) and not value.strip())):  # is_blank
                errors.add(*val.problem(field, "required", "不能为空", "is required"))
            elif value is not None and kind is _CHOICE:
                self._check_choice(s, field, value, errors)
            elif value is not None and kind is _REF:
                self._check_ref(s, field, value, errors)
        for name in self.spec.unique:
            value = full.get(name)
            if value is None or (changed is not None and name not in changed):
                continue
            prefetched = s.info.get(BULK_UNIQUE, {}).get((self.spec.module, name))
            clash = prefetched.get(value) if prefetched is not None else \
                s.scalar(select(self.model.id).where(getattr(self.model, name) == value))
            if clash is not None and (obj is None or clash != obj.id):
                f = self.spec.field(name)
                errors.add(*val.problem(f, "duplicate", f"“{value}”已存在", f"'{value}' already exists"))
        if not errors.errors or not any(e.field in self.spec.all_fields and e.code == "required" for e in errors.errors):
            self._validate(s, full, obj, errors)
            if not s.info.get(RULES_WITH_OTHERS_LATER):
                known = {(e.field, e.code) for e in errors.errors}
                for e in self._rules_with_others(s, [(obj, full)]):
                    if (e.field, e.code) not in known:  # (a reference found deactivated by both checks: once)
                        errors.add(e.field, e.code, e.message)

    # The field whose value ties together the new records _rules_with_others decides at once (a payment's
    # contract, a contact's customer): a new record (no stored one) is decided by what is stored and by the
    # earlier new records with the same value only. None: by every earlier item. The importer hands the rules
    # only those earlier records (RowChecker._refused).
    rules_with_others_by: str | None = None

    def _rules_with_others(self, s: Session, items: list[tuple[Any | None, dict[str, Any]]], *,
                           lock: bool = True) -> list[FieldError]:
        """The module's rules that read other rows, which other saves change without a new version of the
        record checked (a contract's amount against its payments): the same rules for one record and for many.

        Run by every create and update after :meth:`_validate` (the single update holds the record locked),
        and by ``BulkWriter.write_update`` again once it has locked the records, against their locked state:
        nothing of these rules is decided outside the lock. ``items``: (the stored record, None for a new one;
        its full new state), in order, each seeing the earlier ones as written (as one update after another
        would). ``lock``: take the locks the rules need on the other rows (e.g. the contracts of payments),
        as a concurrent save of those rows takes them.

        Returns:
            The problems, ``row`` = the item's position (ignored for a single record).
        """
        return []

    def _lock_before_records(self, s: Session, record_ids: list[int], changes: list[dict[str, Any]] = ()) -> None:
        """Lock the rows a write of these records will lock besides the records themselves, before the records.

        Called by every path that locks stored records of the module to write them (update, bulk update,
        delete, ``BulkWriter.write_update``, erasure, an import's undo), before it locks them. The lock order
        is parents first, in id order (customers, then contracts, then payments and contacts), as a merge
        takes it: a path that locked a record and then waited for its parent (a contact's save waiting for
        its customer, whose search text it rewrites and under whose lock its twin rule runs) could deadlock
        with one holding the parent and waiting for the record. ``changes``: the changes given for the
        records (unparsed), for a parent the write moves a record to. The default locks nothing.
        """

    def _checked_fields(self) -> tuple[tuple[Field, str, bool, FieldType], ...]:
        """(field, name, required, type) of the fields :meth:`_check_common` has a rule for (required,
        choices, references), in form order.

        The others pass it unchanged: leaving them out, once per service, saves a loop over every field
        of every record an import checks.
        """
        checked = self.__dict__.get("_checked_fields_cache")
        if checked is None:
            checked = self.__dict__["_checked_fields_cache"] = tuple(
                (f, f.name, f.required, f.type) for f in self.spec.fields
                if f.required or f.type is _CHOICE or f.type is _REF)
        return checked

    def _check_choice(self, s: Session, field: Field, value: str, errors: ErrorCollector) -> None:
        if field.choices is not None:
            # The codes of fixed choices, built once per field (the field is kept, so its id stays its own).
            fixed = self.__dict__.setdefault("_fixed_choice_codes", {})
            entry = fixed.get(id(field))
            if entry is None:
                entry = fixed[id(field)] = (field, frozenset(c.code for c in field.choices))
            allowed = entry[1]
        else:
            dictionary = self.__dict__.get("_dictionary_service")  # (the registry's look-up is per call otherwise)
            if dictionary is None:
                dictionary = self.__dict__["_dictionary_service"] = self.ctx.services.dictionary
            allowed = dictionary.codes(s, field.dictionary or "")
        if value not in allowed:
            errors.add(*val.problem(field, "choice", f"“{value}”不是可选值", f"'{value}' is not one of the choices"))

    def _check_ref(self, s: Session, field: Field, value: int, errors: ErrorCollector) -> None:
        known = s.info[BULK_REFS].setdefault(field.ref, {}) if BULK_REFS in s.info else None
        if known is not None and value in known:
            state = known[value]
        else:
            target = self.ctx.services[field.ref or ""]
            row = s.scalar(select(target.model).where(target.model.id == value, target._scope_condition()))
            # (active, role, name): the role and name only for users, whose fields may say who fits
            state = None if row is None else (bool(getattr(row, "is_active", True)), getattr(row, "role", None),
                                              getattr(row, "name", None))
            if known is not None:
                known[value] = state
        if state is None:
            errors.add(*val.problem(field, "not_found", "所选记录不存在或无权访问", "the chosen record does not exist or is not yours"))
            return
        active, role_code, name = state
        if not active:
            errors.add(*val.problem(field, "inactive", "所选记录已失效", "the chosen record is deactivated"))
        elif field.pick is not None and role_code not in _pickable(s, field.pick):
            role = rights(role_code or "")
            errors.add(*val.problem(field, "role", f"“{name}”是{role.name_zh}，不能担任此职",
                                    f"'{name}' is {role.name_en.lower()} and cannot be chosen here"))

    def _check_version(self, s: Session, obj: Any, version: int) -> None:
        if obj.version != version:
            raise self._conflict(s, obj)

    def _conflict(self, s: Session, obj: Any) -> ConcurrencyConflict:
        current = self._records(s, [obj])[0]
        return ConcurrencyConflict(Text(
            f"{self.spec.label.zh}“{getattr(obj, self.spec.title_field)}”已被他人修改并保存，请比较后再保存。",
            f"Someone else saved {self.spec.label.en.lower()} '{getattr(obj, self.spec.title_field)}' first; compare and save again.",
        ), module=self.spec.module, record_id=obj.id, current=current)

    def _ensure_active(self, obj: Any) -> None:
        if not getattr(obj, "is_active", True):
            reason = obj.deactivated_reason
            raise RecordInactive(Text(f"该{self.spec.label.zh}已失效，只读。原因：{reason}",
                                      f"This {self.spec.label.en.lower()} record is deactivated and read-only. Reason: {reason}"), reason)

    def _touch(self, obj: Any) -> None:
        obj.updated_by_id = self.ctx.actor.user_id
        obj.updated_at = utcnow()

    def _flush(self, s: Session, obj: Any) -> None:
        self._guarded(s, s.flush, obj)

    def _commit(self, s: Session, obj: Any | None = None) -> None:
        self._guarded(s, s.commit, obj)

    def _guarded(self, s: Session, write: Any, obj: Any | None) -> None:
        """Run a flush or commit; turn a lost version race or a unique clash into the caller's error."""
        try:
            write()
        except StaleDataError:
            s.rollback()
            raise self._conflict_after_rollback(obj) from None
        except IntegrityError as exc:
            s.rollback()
            raise self._integrity_error(exc) from None

    def _conflict_after_rollback(self, obj: Any) -> ConcurrencyConflict:
        with self.ctx.db.unit_of_work(write=False) as s2:
            fresh = s2.get(self.model, obj.id)
            if fresh is None:
                return ConcurrencyConflict(Text("该记录已被他人删除。", "Someone else deleted this record."),
                                           module=self.spec.module, record_id=obj.id, current=None)
            return self._conflict(s2, fresh)

    def _integrity_error(self, exc: IntegrityError) -> ValidationError:
        name = unique_violation(exc, self.model.__table__)
        if name and name in self.spec.all_fields:
            f = self.spec.field(name)
            return ValidationError([FieldError(name, "duplicate", Text(
                f"{f.label.zh}：已存在（可能刚被他人使用）", f"{f.label.en}: already exists (someone may just have used it)"))])
        raise exc

    def may(self, action: Action | str) -> bool:
        """Whether the signed-in role may do ``action`` in this module (no database call).

        For the client, to enable only the buttons that will work; every service call
        checks again.
        """
        try:
            self._require(Action(action))
        except PermissionDenied:
            return False
        return True

    def check_delete(self, record_id: int) -> None:
        """Tell, before anyone confirms, whether :meth:`delete` would refuse ``record_id`` as in use.

        Reads only; the delete checks again (someone may add a reference meanwhile).

        Raises:
            PermissionDenied, NotFound, InUse (with the same message the delete would give).
        """
        self._require(Action.DELETE)
        with self.ctx.db.unit_of_work(write=False) as s:
            obj = self._load(s, record_id)
            refs = blocking_references(s, self.model.__table__, obj.id)
            if refs:
                raise InUse(self._in_use_message(obj, refs), {k: n for k, (_, n) in refs.items()})
            self._check_usage(s, obj)

    def _check_usage(self, s: Session, obj: Any) -> None:
        """Module uses that no foreign key shows (e.g. a dictionary code kept as a value): raise InUse."""

    def _in_use_message(self, obj: Any, refs: dict[str, tuple[Text, int]]) -> Text:
        title = getattr(obj, self.spec.title_field)
        # The three biggest uses say enough; bookkeeping (log entries) only when nothing else does.
        shown = [r for name, r in refs.items() if name not in BOOKKEEPING] or list(refs.values())
        shown.sort(key=lambda r: -r[1])
        more_zh, more_en = ("等", ", …") if len(shown) > 3 else ("", "")
        zh = "、".join(f"{label.zh} {n} 条" for label, n in shown[:3]) + more_zh
        en = ", ".join(f"{n} {label.en.lower()}" for label, n in shown[:3]) + more_en
        return Text(f"{self.spec.label.zh}“{title}”已被使用（{zh}），不能删除；可以改为停用。",
                    f"{self.spec.label.en} '{title}' is in use ({en}) and cannot be deleted; deactivate it instead.")

    def _audit(self, s: Session, action: str, record_id: int | None, before: dict | None, after: dict | None) -> None:
        write_audit(s, self.ctx.actor, action, self.spec.module, record_id, before, after)
