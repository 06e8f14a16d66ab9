"""ImportService (``session.imports``): templates, column mapping, dry run, all-or-nothing import, undo.

Every record goes through its module service's create path (validation,
module rules, codes, audit) inside one unit of work; the dry run runs the
same checks without writing. An import runs the dry run first, then writes,
re-checking every row as it does, and refuses the file if anything fails.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

from crm_core.errors import FieldError, PermissionDenied, ValidationError
from crm_core.i18n import Text
from crm_core.importing import batches, workbook
from crm_core.importing.engine import LoopResult, RowLoop
from crm_core.importing.limits import file_error
from crm_core.importing.lookups import Lookups, fold
from crm_core.importing.model import ImportCheck, ImportRejected, ImportResult, ImportSource, RowError
from crm_core.importing.reader import open_source, read_table
from crm_core.metadata import EntitySpec, Field, FieldType
from crm_core.permissions import CUSTOMER_SCOPED, Action, Scope, rights
from crm_core.services.context import Context

__all__ = ["ImportCheck", "ImportRejected", "ImportResult", "ImportService", "ImportSource", "RowError"]

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
        """The fields a file may fill, in template order (system-set fields such as codes are not among them)."""
        return [f for f in self._spec(module).fields if not f.read_only]

    def write_template(self, module: str, path: str | Path, lang: str) -> None:
        """An xlsx template: headers in ``lang`` (required ones marked), hints, drop-down lists of the choices."""
        self._require(module)
        fields = self.fields(module)
        with self.ctx.db.unit_of_work(write=False) as s:
            lookups = Lookups(s, self.ctx.services, self._spec(module), [f for f in fields if f.type is not FieldType.REF])
        choices = {f.name: lookups.choice_labels(f.name, lang) for f in fields if f.type is FieldType.CHOICE}
        workbook.write_template(path, fields, choices, lang)

    # ---------------------------------------------------------------- file

    def open_file(self, path: str | Path) -> ImportSource:
        """Read a file for the wizard: format, encoding, headers, row count and a preview.

        Raises:
            ValidationError: (field "file") unreadable, unknown encoding, or beyond a cap.
        """
        return open_source(path)

    def auto_mapping(self, module: str, headers: list[str]) -> dict[int, str | None]:
        """Source column -> field, matched by header in either language (or the field name); None: not imported."""
        names: dict[str, str] = {}
        for f in self._mappable(module).values():
            for text in (f.name, f.label.zh, f.label.en):
                names.setdefault(_header_key(text), f.name)
        mapping: dict[int, str | None] = {}
        used: set[str] = set()
        for col, header in enumerate(headers):
            name = names.get(_header_key(header or ""))
            mapping[col] = name if name and name not in used else None
            used.add(name or "")
        return mapping

    # ----------------------------------------------------------- the work

    def check(self, module: str, path: str | Path, mapping: dict[int, str | None], *,
              progress: Progress = None) -> ImportCheck:
        """Dry run: every row through the service's checks; nothing is written."""
        self._require(module)
        clean = self._clean_mapping(module, mapping)
        table = read_table(path)
        with self.ctx.db.unit_of_work(write=False) as s:
            result = self._loop(s, module, table, clean, progress, write=False)
        return _check_of(result)

    def run(self, module: str, path: str | Path, mapping: dict[int, str | None], *, only_valid: bool = False,
            progress: Progress = None) -> ImportResult:
        """Import the file as one unit of work and record it as a batch that can be undone.

        Raises:
            ImportRejected: some rows are bad (and ``only_valid`` is False), or no row is valid; nothing written.
        """
        self._require(module)
        clean = self._clean_mapping(module, mapping)
        table = read_table(path)
        first, second = _halves(progress)
        with self.ctx.db.unit_of_work(write=True) as s:
            # The fast checks first: a file that will be refused is refused before any row is written.
            checked = self._loop(s, module, table, clean, first, write=False)
            if not checked.total:
                raise file_error("no_rows", "文件中没有数据行，没有可导入的内容。", "The file has no data rows; there is nothing to import.")
            if checked.errors and not only_valid:
                raise ImportRejected(_check_of(checked))
            result = self._loop(s, module, table, clean, second, write=True)
            check = _check_of(result)
            if (result.errors and not only_valid) or not result.created:
                raise ImportRejected(check)
            batch_id = batches.record_batch(s, self.ctx, module, Path(path).name, result.created)
            s.commit()
        return ImportResult(batch_id, len(result.created), len(check.bad_rows), result.errors)

    def write_error_report(self, source_path: str | Path, check: ImportCheck, out_path: str | Path, lang: str) -> None:
        """An xlsx of the bad rows as they are in the file, bad cells in red, the reasons in the last column."""
        workbook.write_error_report(read_table(source_path), check, out_path, lang)

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
            removed = batches.undo_batch(s, self.ctx, batch)
            s.commit()
            return removed

    # ---------------------------------------------------------- internals

    def _spec(self, module: str) -> EntitySpec:
        from crm_core.modules import SPECS

        if module not in SPECS or module not in CUSTOMER_SCOPED:
            raise ValidationError([FieldError("module", "unknown", Text(f"不能导入到“{module}”。", f"Cannot import into '{module}'."))])
        return SPECS[module]

    def _require(self, module: str) -> None:
        self._spec(module)
        self.ctx.require(module, Action.IMPORT)
        self.ctx.require(module, Action.CREATE)

    def _mappable(self, module: str) -> dict[str, Field]:
        """Importable fields plus unique system codes (e.g. 客户编码), which are matched for duplicates only."""
        spec = self._spec(module)
        return {f.name: f for f in spec.fields if not f.read_only or f.name in spec.unique}

    def _clean_mapping(self, module: str, mapping: dict[int, str | None]) -> dict[int, str]:
        mappable = self._mappable(module)
        clean = {int(col): name for col, name in mapping.items() if name}
        errors = [FieldError("mapping", "unknown_field", Text(f"列 {col + 1}：没有名为“{name}”的字段", f"Column {col + 1}: no field '{name}'"))
                  for col, name in clean.items() if name not in mappable]
        names = list(clean.values())
        errors += [FieldError("mapping", "twice", Text(f"{mappable[n].label.zh}：对应了多个列", f"{mappable[n].label.en}: mapped from more than one column"))
                   for n in sorted(set(names)) if names.count(n) > 1 and n in mappable]
        errors += [FieldError("mapping", "required", Text(f"{f.label.zh}：必填，请为它选择一列", f"{f.label.en}: is required; choose a column for it"))
                   for f in self.fields(module) if f.required and f.name not in names]
        if errors:
            raise ValidationError(errors)
        return clean

    def _loop(self, s: Any, module: str, table: Any, mapping: dict[int, str], progress: Progress, *,
              write: bool) -> LoopResult:
        service = self.ctx.services[module]
        spec = service.spec
        lookups = Lookups(s, self.ctx.services, spec, [spec.field(n) for n in mapping.values()])
        return RowLoop(s, service, lookups, table, mapping, write=write).run(progress)


def _header_key(text: str) -> str:
    """Headers match whatever case, width, spacing or required mark they were typed with."""
    text = unicodedata.normalize("NFKC", text).replace(workbook.REQUIRED_MARK, "")
    for marker in ("(必填)", "(required)"):
        text = text.replace(marker, "")
    return "".join(fold(text).split())


def _halves(progress: Progress) -> tuple[Progress, Progress]:
    """Progress callbacks for the check pass (first half of the bar) and the writing pass (second half)."""
    if progress is None:
        return None, None
    return (lambda done, total: progress(done, 2 * total)), (lambda done, total: progress(total + done, 2 * total))


def _check_of(result: LoopResult) -> ImportCheck:
    return ImportCheck(result.total, result.valid, sorted(result.errors, key=lambda e: (e.row, e.column is None, e.column or 0)))
