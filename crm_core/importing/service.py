"""ImportService (``session.imports``): templates, column mapping, dry run, all-or-nothing import, undo.

The file is read once; every row is checked in Python by the module
service's own rules (:mod:`engine`), with what they look up fetched once for
the file; the rows are written in chunks of short transactions through the
bulk write path (:mod:`writer`), the next chunk checked and staged while the
current one is written; all or nothing: a bad row, a failing or cancelled
chunk removes the earlier ones, and an import killed half-way is rolled back
at the next sign-in (:func:`recover_interrupted`). Update by key checks every
row before it writes (its updates come first).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from crm_core.errors import FieldError, PermissionDenied, ValidationError
from crm_core.i18n import Text
from crm_core.importing import batches, columns, mapping_step, undo, workbook, writer
from crm_core.importing.engine import NewRecord, Prepared, RowChecker
from crm_core.importing.limits import file_error
from crm_core.importing.lookups import Lookups, key_fields, ref_texts
from crm_core.importing.model import (ImportCheck, ImportRejected, ImportResult, ImportSource, RowError, RowUpdate,
                                      UnknownValue)
from crm_core.importing.reader import Table, open_source, read_table
from crm_core.metadata import EntitySpec, Field, FieldType
from crm_core.permissions import CUSTOMER_SCOPED, Action, Scope, rights
from crm_core.services.context import Context
from crm_core.services.custom import as_field

__all__ = ["ImportCheck", "ImportRejected", "ImportResult", "ImportService", "ImportSource", "RowError", "RowUpdate",
           "UnknownValue"]

Progress = Callable[[int, int], None] | None


class ImportService:
    """Bulk import (批量导入) into the business modules, for roles with the module's import and create rights."""

    def __init__(self, ctx: Context):
        self.ctx = ctx

    # ------------------------------------------------------------ metadata

    def modules(self) -> list[str]:
        """Modules the actor may import into, in the usual module order."""
        from crm_core.modules import SERVICE_CLASSES

        self.ctx.refresh_actor()
        role = rights(self.ctx.actor.role)
        return [m for m in SERVICE_CLASSES if m in CUSTOMER_SCOPED and role.may(m, Action.IMPORT) and role.may(m, Action.CREATE)]

    def fields(self, module: str) -> list[Field]:
        """The fields a file may fill, in template order: the module's own (not system-set codes), then its
        custom fields (``custom.<key>``)."""
        t = self.targets(module)
        return [f for f in self._spec(module).fields if not f.read_only] + \
            [f for name, f in t.fields.items() if t.part(name) == "custom"]

    def write_template(self, module: str, path: str | Path, lang: str) -> None:
        """An xlsx template: headers in ``lang`` (required ones marked), hints, drop-down lists of the choices."""
        self._require(module)
        fields = self.fields(module)
        with self.ctx.db.unit_of_work(write=False) as s:
            lookups = Lookups(s, self.ctx.services, self._spec(module), [f for f in fields if f.type is not FieldType.REF])
        choices = {f.name: lookups.choice_labels(f.name, lang) for f in fields if f.type is FieldType.CHOICE}
        workbook.write_template(path, fields, choices, lang)

    # ---------------------------------------------------------------- file

    def open_file(self, path: str | Path, module: str | None = None, *, sheet: str | None = None,
                  header_row: int | None = None) -> ImportSource:
        """Read a file for the wizard: format, encoding, sheets, header row, row count and a preview.

        Args:
            module: the module imported into; its field names help find the header row under a title.
            sheet, header_row: the user's choice (default: the first sheet, the row found).

        Raises:
            ValidationError: (field "file") unreadable, unknown encoding, no such sheet or row, or beyond a cap.
        """
        return open_source(path, sheet=sheet, header_row=header_row, known=_known(self.targets(module)) if module else None)

    def targets(self, module: str) -> columns.Targets:
        """Everything a column can be mapped to: the module's fields, its companion's (``contacts.name``), custom fields."""
        spec = self._spec(module)
        from crm_core.modules import SPECS

        companion = SPECS[spec.companion] if spec.companion and self._may_create(spec.companion) else None
        with self.ctx.db.unit_of_work(write=False) as s:
            custom = [as_field(d) for d in self.ctx.services[module]._definitions(s)]
        return columns.targets(spec, companion, custom)

    def auto_mapping(self, module: str, headers: list[str]) -> dict[int, str | None]:
        """Source column -> target, by the names declared in the metadata (labels, then aliases); None: not imported."""
        return columns.auto_mapping(self.targets(module), headers)

    def unknown_values(self, module: str, path: str | Path, mapping: dict[int, str | None], *,
                       sheet: str | None = None, header_row: int | None = None,
                       value_map: dict[str, dict[str, str]] | None = None) -> list[UnknownValue]:
        """Each distinct value of a choice column that is none of its choices, once (the value-mapping step)."""
        self._require(module)
        t = self.targets(module)
        clean = self._clean_mapping(module, mapping, t)
        table = _read(t, path, sheet, header_row)
        with self.ctx.db.unit_of_work(write=False) as s:
            fields = [t.fields[n] for n in clean.values()]
            lookups = Lookups(s, self.ctx.services, self._spec(module), fields, value_map,
                              _ref_texts(table, clean, t))
        return mapping_step.unknown_values(table, clean, t, lookups)

    def choices(self, module: str, name: str, lang: str) -> list[tuple[str, str]]:
        """(code, label) of a choice target, for mapping a file's own value to one."""
        t = self.targets(module)
        with self.ctx.db.unit_of_work(write=False) as s:
            lookups = Lookups(s, self.ctx.services, self._spec(module), [t.fields[name]])
        return [(code, en if lang.startswith("en") else zh) for code, zh, en in lookups.choice_items.get(name, [])]

    def may_add_choices(self) -> bool:
        """Whether the actor may add dictionary entries from the value-mapping step (administrators)."""
        return rights(self.ctx.actor.role).may("dictionary", Action.ADMIN)

    def add_choice(self, module: str, name: str, label_zh: str, label_en: str | None = None) -> str:
        """Add a file's value to the dictionary behind a choice target (administrators); returns its code.

        Raises:
            PermissionDenied: the actor may not edit the dictionary.
            ValidationError: the field has fixed choices, or the entry is refused by the dictionary's rules.
        """
        f = self.targets(module).fields[name]
        return mapping_step.add_dictionary_entry(self.ctx, f, label_zh, label_en)

    # ----------------------------------------------------------- the work

    def check(self, module: str, path: str | Path, mapping: dict[int, str | None], *, sheet: str | None = None,
              header_row: int | None = None, value_map: dict[str, dict[str, str]] | None = None,
              update_by_key: bool = False, progress: Progress = None) -> ImportCheck:
        """Dry run: every row through the service's checks; nothing is written.

        With ``update_by_key`` rows whose key names an existing record (a customer code, a contract number;
        a contact by customer, name and phone) are updates, listed in ``updates`` with what they would change
        (the preview); without it such rows are duplicates. A payment row with the contract, date and amount
        of a payment already recorded is refused as that payment imported again.
        """
        self._require(module, update=update_by_key)
        t = self.targets(module)
        clean = self._clean_mapping(module, mapping, t)
        table = _read(t, path, sheet, header_row)
        return _read_from(_check_of(self._prepare(module, t, table, clean, value_map, update_by_key, progress,
                                                  keep=False)), table)

    def run(self, module: str, path: str | Path, mapping: dict[int, str | None], *, only_valid: bool = False,
            sheet: str | None = None, header_row: int | None = None, value_map: dict[str, dict[str, str]] | None = None,
            update_by_key: bool = False, preview: ImportCheck | None = None, progress: Progress = None,
            chunk_rows: int | None = None) -> ImportResult:
        """Import the file in chunks of short transactions, recorded as one batch that can be undone.

        Args:
            preview: the check the user saw; an update row is refused (a conflict) if its record's
                version is no longer the one shown there, and any row that no longer names the record the
                preview showed it updating, or now names one it did not (:func:`_refuse_changed_since`).

        Raises:
            ImportRejected: some rows are bad (and ``only_valid`` is False), no row is valid, or a chunk
                was refused while writing (a conflict); nothing is kept.
        """
        self._require(module, update=update_by_key)
        t = self.targets(module)
        clean = self._clean_mapping(module, mapping, t)
        table = _read(t, path, sheet, header_row)
        try:
            return _read_from(self._run(module, t, table, clean, path, only_valid, value_map, update_by_key,
                                        preview, progress, chunk_rows), table)
        except ImportRejected as exc:  # (its check for the error report: the rows of the sheet read)
            exc.check = _read_from(exc.check, table)
            raise

    def _run(self, module: str, t: columns.Targets, table: Table, clean: dict[int, str], path: str | Path,
             only_valid: bool, value_map: dict[str, dict[str, str]] | None, update_by_key: bool,
             preview: ImportCheck | None, progress: Progress, chunk_rows: int | None) -> ImportResult:
        if update_by_key:  # the updates are written first, so every row is checked before anything is written
            first, second = _halves(progress)
            prepared = self._prepare(module, t, table, clean, value_map, update_by_key, first, keep=True,
                                     preview=preview)
            if preview is not None:  # a row's record is the one the preview showed, or the row is a conflict
                _refuse_changed_since(self.ctx.services, module, t, prepared, preview, clean)
            check = self._acceptable(prepared, only_valid)
            updates = _as_previewed(prepared.updates, preview.updates if preview is not None else None)
            contacts = _as_previewed([u for u in prepared.companions if not u.new],
                                     preview.companions if preview is not None else None)
            written = self._write(module, t, lambda: check, prepared.creates, updates, path, second, chunk_rows,
                                  columns={name: col for col, name in clean.items()},
                                  companion_updates=contacts, companion_creates=prepared.companion_creates)
            return ImportResult(written.batch_id, written.created, len(check.bad_rows), check.errors, written.updated,
                                written.companions, written.companions_updated)
        # New records only: checked and written in one pass, chunk k+1 checked while chunk k is written.
        # A bad row (unless only the valid rows are wanted) stops the writing: what was written is
        # removed again (the batch is purged) and the rest of the file is still checked for the report.
        with self.ctx.db.unit_of_work(write=False) as s:
            checker = self._checker(s, module, t, table, clean, value_map, update_by_key)
            s.rollback()  # the checks read what was fetched; no read transaction held while writing
            landed = _Landed()
            checker.written = landed  # the file's earlier rows count (stream): written, or handed on before
            prepared = Prepared()
            bar = _Bar(progress, 2 * len(table.rows))

            def creates() -> Iterator[NewRecord]:
                for record in checker.stream(prepared, bar.checked, release=True):
                    if prepared.errors and not only_valid:
                        raise BadRowsFound
                    yield record
                if (prepared.errors and not only_valid) or not prepared.valid:
                    raise BadRowsFound

            def rest() -> ImportCheck:
                """The check of every row once writing stopped, for the report: the dry run's (:meth:`check`), so
                that the rejected import tells what the preview tells. The rules that read other rows (a payment
                within its contract's outstanding amount, the contact twin rule) count the file's earlier rows,
                which the purge has removed and the stream no longer holds: for such a module the whole file is
                checked again as the dry run checks it (a second pass, only for an import that failed); for the
                others the rest of the file is checked on."""
                nonlocal prepared
                if checker.reads_others:
                    s.rollback()  # what the purge left: the database as before the import
                    again = self._checker(s, module, t, table, clean, value_map, update_by_key)
                    # (the records to create counted, not kept: memory)
                    prepared = again.run(lambda done, total: bar.checked(max(done, bar.done_checking), total))
                    return _check_of(prepared)
                checker.written = None
                for _ in checker.stream(prepared, bar.checked, release=True):
                    pass
                return _check_of(prepared)

            with_companion = len(table.rows) if any(t.part(n) == "companion" for n in clean.values()) else 0
            try:
                written = self._write(module, t, rest, creates(), [], path, bar.written, chunk_rows,
                                      columns={name: col for col, name in clean.items()},
                                      expected=len(table.rows), companions=with_companion, started=landed.start)
            except BadRowsFound:
                rest()
                self._acceptable(prepared, only_valid)
                raise AssertionError("rows refused but none reported") from None
        check = _check_of(prepared)  # its errors in row order (a block's refusals are told after its rows)
        return ImportResult(written.batch_id, written.created, len(check.bad_rows), check.errors, written.updated,
                            written.companions)

    def _acceptable(self, prepared: Prepared, only_valid: bool) -> ImportCheck:
        """The check of every row; raises when nothing is to be written (no rows, bad rows, no valid row)."""
        if not prepared.total:
            raise file_error("no_rows", "文件中没有数据行，没有可导入的内容。", "The file has no data rows; there is nothing to import.")
        check = _check_of(prepared)
        if (prepared.errors and not only_valid) or not prepared.valid:
            raise ImportRejected(check)
        return check

    def _write(self, module: str, t: columns.Targets, check_of: Callable[[], ImportCheck], creates: Any,
               updates: list[RowUpdate], path: str | Path, progress: Progress, chunk_rows: int | None,
               columns: dict[str, int] | None = None, **kw: Any) -> writer.Written:
        """:func:`writer.write`; a chunk refused while writing: ImportRejected with its rows' errors and the counts
        of ``check_of()`` (the check of every row); an update's error also with its field and the file's column
        for it (``columns``: field -> column)."""
        try:
            return writer.write(self.ctx, t, module, creates, updates, Path(path).name, progress, chunk_rows=chunk_rows,
                                **kw)
        except writer.ChunkFailed as exc:
            named = isinstance(exc, writer.NamedChunkFailed)
            errors = [RowError(e.row or 0, (columns or {}).get(e.field) if named else None, e.field if named else None,
                               e.message) for e in exc.errors]
            check = check_of()
            raise ImportRejected(ImportCheck(check.total_rows, check.valid_rows - len({e.row for e in errors}),
                                             errors, check.updates)) from None

    def write_error_report(self, source_path: str | Path, check: ImportCheck | ImportResult, out_path: str | Path,
                           lang: str, *, sheet: str | None = None, header_row: int | None = None) -> None:
        """An xlsx of the bad rows as they are in the file, bad cells in red, the reasons in the last column.

        ``check``: a dry run's check, or an import's result (the rows it left out)."""
        # (by default the sheet and header row the check read: the first sheet may be notes, not the list)
        sheet = sheet if sheet is not None else check.sheet
        header_row = header_row if header_row is not None else check.header_row
        workbook.write_error_report(read_table(source_path, sheet=sheet, header_row=header_row), check, out_path, lang)

    def recover_interrupted(self) -> list[int]:
        """Roll back imports a killed process left half-written (run at sign-in); returns their batch ids."""
        return batches.recover_interrupted(self.ctx)

    # --------------------------------------------------------------- undo

    def batches(self, module: str | None = None) -> list[dict[str, Any]]:
        """Import batches the actor may see (his own, or everyone's for roles that see all records)."""
        modules = [module] if module else self.modules()
        for m in modules:
            self._require(m)
        mine = self.ctx.actor.user_id if rights(self.ctx.actor.role).scope is Scope.OWN else None
        with self.ctx.db.unit_of_work(write=False) as s:
            return batches.list_batches(s, modules, mine)

    def undo(self, batch_id: int) -> int:
        """Delete the records of one import as one unit (newest first, each audited); returns how many.

        Raises:
            ValidationError: already undone, or a record was changed or is referenced since; nothing removed.
            PermissionDenied: neither the batch's importer nor a role that may delete in the module.
        """
        with self.ctx.db.unit_of_work(write=True) as s:
            batch = batches.load_batch(s, batch_id)
            self._require(batch.module)
            if batch.created_by_id != self.ctx.actor.user_id and not rights(self.ctx.actor.role).may(batch.module, Action.DELETE):
                raise PermissionDenied(Text("只有导入人或有删除权限的用户可以撤销该导入。",
                                            "Only the user who imported it or one who may delete records can undo this import."))
            removed = undo.undo_batch(s, self.ctx, batch)
            s.commit()
            return removed

    # ---------------------------------------------------------- internals

    def _spec(self, module: str) -> EntitySpec:
        from crm_core.modules import SPECS

        if module not in SPECS or module not in CUSTOMER_SCOPED:
            raise ValidationError([FieldError("module", "unknown", Text(f"不能导入到“{module}”。", f"Cannot import into '{module}'."))])
        return SPECS[module]

    def _require(self, module: str, *, update: bool = False) -> None:
        self._spec(module)
        self.ctx.require(module, Action.IMPORT)
        self.ctx.require(module, Action.CREATE)
        if update:
            self.ctx.require(module, Action.UPDATE)

    def _may_create(self, module: str) -> bool:
        return rights(self.ctx.actor.role).may(module, Action.CREATE)

    def _clean_mapping(self, module: str, mapping: dict[int, str | None], t: columns.Targets) -> dict[int, str]:
        mappable = t.fields
        clean = {int(col): name for col, name in mapping.items() if name}
        errors = [FieldError("mapping", "unknown_field", Text(f"列 {col + 1}：没有名为“{name}”的字段", f"Column {col + 1}: no field '{name}'"))
                  for col, name in clean.items() if name not in mappable]
        names = list(clean.values())
        errors += [FieldError("mapping", "twice", Text(f"{mappable[n].label.zh}：对应了多个列", f"{mappable[n].label.en}: mapped from more than one column"))
                   for n in sorted(set(names)) if names.count(n) > 1 and n in mappable]
        required = [f for n, f in mappable.items() if f.required and t.part(n) != "companion"]
        if any(t.part(n) == "companion" for n in names):
            required += [f for n, f in mappable.items() if t.part(n) == "companion" and f.required]
        errors += [FieldError("mapping", "required", Text(f"{f.label.zh}：必填，请为它选择一列", f"{f.label.en}: is required; choose a column for it"))
                   for f in required if f.name not in names]
        if errors:
            raise ValidationError(errors)
        return clean

    def _prepare(self, module: str, t: columns.Targets, table: Any, mapping: dict[int, str],
                 value_map: dict[str, dict[str, str]] | None, update_by_key: bool, progress: Progress, *,
                 keep: bool, preview: ImportCheck | None = None) -> Prepared:
        """Every row checked; ``keep``: the records to create kept (to write them), else only counted;
        ``preview``: the check the user saw (its updates reused where the same)."""
        with self.ctx.db.unit_of_work(write=False) as s:
            checker = self._checker(s, module, t, table, mapping, value_map, update_by_key)
            if preview is not None:
                checker.previewed = (preview.updates, preview.companions)
            return checker.run(progress, keep=keep)

    def _checker(self, s: Any, module: str, t: columns.Targets, table: Any, mapping: dict[int, str],
                 value_map: dict[str, dict[str, str]] | None, update_by_key: bool) -> RowChecker:
        """The file's rows' checker, with what the checks look up fetched once for the file."""
        spec = self._spec(module)
        keys = set(key_fields(spec))
        lookups = Lookups(s, self.ctx.services, spec, [t.fields[n] for n in mapping.values()], value_map,
                          _ref_texts(table, mapping, t),
                          ref_texts(table.rows, {col: name for col, name in mapping.items() if name in keys}))
        return RowChecker(s, self.ctx.services, t, lookups, table, mapping, update_by_key=update_by_key)


def _ref_texts(table: Any, mapping: dict[int, str], t: columns.Targets) -> dict[str, set[str]]:
    """The texts of the file's reference columns, per referenced module (what the look-ups read by)."""
    refs = {col: t.fields[name].ref for col, name in mapping.items()
            if name in t.fields and t.fields[name].type is FieldType.REF and t.fields[name].ref}
    return ref_texts(table.rows, refs)


def _known(t: columns.Targets) -> Callable[[str], bool]:
    keys = columns.known_header(t)
    return lambda header: columns.header_key(header) in keys


def _read(t: columns.Targets, path: str | Path, sheet: str | None, header_row: int | None) -> Any:
    """The sheet, its header row found by the target's names unless the user chose one."""
    return read_table(path, sheet=sheet, header_row=header_row, known=_known(t))


class _Landed:
    """How many of the records handed to the writer a session shows written: the batch's records of the
    module (the companions' are the other module's), written chunk by chunk in the order they were handed on,
    each chunk counted into its batch in the chunk's own transaction (:func:`batches.written`)."""

    def __init__(self) -> None:
        self.batch_id: int | None = None

    def start(self, batch_id: int) -> None:
        self.batch_id = batch_id

    def __call__(self, s: Any) -> int:
        if self.batch_id is None:
            return 0
        return batches.written(s, self.batch_id)


class BadRowsFound(Exception):
    """A bad row found while writing (and not only the valid rows wanted): stop writing, purge, report."""


class _Bar:
    """One progress bar for checking and writing at the same time: rows checked plus rows written, of twice
    the file's rows (as the two halves of the check-then-write order)."""

    def __init__(self, progress: Progress, total: int):
        self.progress, self.total, self.done_checking, self.done_writing = progress, total, 0, 0

    def checked(self, done: int, _total: int) -> None:
        self.done_checking = done
        if self.progress:
            self.progress(min(self.total, self.done_checking + self.done_writing), self.total)

    def written(self, done: int, _total: int) -> None:
        self.done_writing = done
        if self.progress:
            self.progress(min(self.total, self.done_checking + self.done_writing), self.total)


def _halves(progress: Progress) -> tuple[Progress, Progress]:
    """Progress callbacks for the check pass (first half of the bar) and the writing pass (second half)."""
    if progress is None:
        return None, None
    return (lambda done, total: progress(done, 2 * total)), (lambda done, total: progress(total + done, 2 * total))


def _read_from(check: Any, table: Table) -> Any:
    """``check`` (an ImportCheck or ImportResult) naming the sheet and header row its rows were read from."""
    return dataclasses.replace(check, sheet=table.sheet, header_row=table.header_row)


def _check_of(result: Prepared) -> ImportCheck:
    return ImportCheck(result.total, result.valid, sorted(result.errors, key=lambda e: (e.row, e.column is None, e.column or 0)),
                       result.updates, result.companions)


def _as_previewed(updates: list[RowUpdate], previewed: list[RowUpdate] | None) -> list[RowUpdate]:
    """The updates, each at the version of its record the preview showed (a record saved since is refused as a
    conflict when written); with a preview, one of a record it did not show at version 0, which no record has:
    refused as a conflict too, never overwritten unseen (:func:`_refuse_changed_since` refuses such a row
    before anything is written, with the clearer message; this stays as the writer's own guard). Only those
    that differ are copied (a 100,000-row preview is held meanwhile)."""
    if previewed is None:
        return updates
    seen = {u.record_id: u.version for u in previewed if not u.new}
    return [u if seen.get(u.record_id) == u.version else dataclasses.replace(u, version=seen.get(u.record_id, 0))
            for u in updates]


def _refuse_changed_since(services: Any, module: str, t: columns.Targets, prepared: Prepared, preview: ImportCheck,
                          mapping: dict[int, str]) -> None:
    """ImportRejected when a row no longer names the record the preview showed: a previewed update whose record
    is gone from its key (deleted, moved to another customer, its phone or code changed: the row would create a
    new record), or names another one; or a row the preview showed as new (or refused) that now names a record
    (saved meanwhile: the row would change it unseen). The same for the contact a customer row gives
    (``companions``): the one shown updated is gone or another, or the one shown as new is now stored. Each such
    row a conflict, as a record saved since the preview is (``writer._conflict``); nothing is written."""
    column_of = {name: col for col, name in mapping.items()}
    bad_rows = {e.row for e in prepared.errors}
    conflicts: list[RowError] = []
    service = services[module]
    title = service.spec.title_field if service.spec.identity else (service.spec.unique or (None,))[0]
    conflicts += _changed_since(service, "", title, prepared.updates, preview.updates, bad_rows, column_of)
    if t.companion and (prepared.companions or preview.companions):
        companion = services[t.companion]
        prefix = f"{t.companion}."
        conflicts += _changed_since(companion, prefix, prefix + companion.spec.title_field, prepared.companions,
                                    preview.companions, bad_rows, column_of)
    if conflicts:
        rows = {e.row for e in conflicts}
        prepared.errors += conflicts
        prepared.updates = [u for u in prepared.updates if u.row not in rows]
        prepared.creates = [r for r in prepared.creates if r.row not in rows]
        prepared.companions = [u for u in prepared.companions if u.row not in rows]
        prepared.companion_creates = [r for r in prepared.companion_creates if r.row not in rows]
        raise ImportRejected(_check_of(prepared))


def _changed_since(service: Any, prefix: str, title: str | None, updates: list[RowUpdate], previewed: list[RowUpdate],
                   bad_rows: set[int], column_of: dict[str, int]) -> list[RowError]:
    """The conflicts of :func:`_refuse_changed_since` for one module's updates (``prefix``: the mapping's for the
    companion's fields, "contacts."); an update ``new`` (a contact created on its customer) names no record."""
    now = {u.row: u for u in updates}
    shown = {u.row: u for u in previewed}
    out: list[RowError] = []
    for row, u in shown.items():
        n = now.get(row)
        if row in bad_rows or (n is not None and n.new == u.new and n.record_id == u.record_id) or u.new:
            continue  # (shown as new and now absent or stored: told below, or the row is refused already)
        first = next(iter([*u.changes, *u.custom_changes]), None)
        field_name = prefix + first if first else None
        out.append(RowError(row, column_of.get(field_name or ""), field_name, writer._conflict(service, u)))
    label = service.spec.label
    for row, u in now.items():
        before = shown.get(row)
        if u.new or row in bad_rows or (before is not None and not before.new):
            continue  # (an update shown: the same record, or told above)
        name = f"“{u.title}”（{u.key}）" if service.spec.identity else f"“{u.key}”"
        en_name = f"'{u.title}' ({u.key_en or u.key})" if service.spec.identity else f"'{u.key}'"
        out.append(RowError(row, column_of.get(title or ""), title, Text(
            f"{label.zh}{name}在预览之后已被他人添加或修改，预览中此行不是对它的更新；此行未写入，请重新检查文件",
            f"{label.en} {en_name} was added or changed by someone else after the preview, which did not show "
            f"this row as updating it; the row was not written: check the file again")))
    return out
