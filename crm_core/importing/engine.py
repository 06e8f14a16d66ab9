"""The row loop shared by the dry run and the import: every row through the service's own checks.

Importing, each row is created inside a SAVEPOINT of one unit of work, so the
module's rules, codes and audit entries run exactly as for a record typed into
a form; a bad row's savepoint is rolled back and its problems are reported
with the source column. Whether anything is kept is decided by the caller.
The dry run runs the same checks without writing (ten times faster: no codes,
search index or audit rows), duplicates within the file being caught here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from crm_core.errors import ValidationError
from crm_core.i18n import Text
from crm_core.importing import limits
from crm_core.importing.cells import CellProblem, convert
from crm_core.importing.lookups import Lookups, row_keys
from crm_core.importing.model import RowError
from crm_core.importing.reader import Table, cell_text
from crm_core.metadata import EntitySpec

PROGRESS_EVERY = 100


@dataclass
class LoopResult:
    """What the loop did: rows seen (blank rows do not count), problems, and the good rows (created rows when writing)."""

    total: int = 0
    errors: list[RowError] = field(default_factory=list)
    created: list[Any] = field(default_factory=list)

    @property
    def valid(self) -> int:
        return len(self.created)


class RowLoop:
    """Imports a table's rows into one module within the caller's session."""

    def __init__(self, s: Session, service: Any, lookups: Lookups, table: Table, mapping: dict[int, str], *,
                 write: bool):
        self.s, self.service, self.lookups, self.table, self.write = s, service, lookups, table, write
        self.spec: EntitySpec = service.spec
        self.mapping = mapping
        self.column_of = {name: col for col, name in mapping.items()}
        self.seen: dict[str, dict[str, int]] = {name: {} for name in lookups.existing}

    def run(self, progress: Callable[[int, int], None] | None) -> LoopResult:
        result = LoopResult()
        total = len(self.table.rows)
        for i, cells in enumerate(self.table.rows):
            if progress and i % PROGRESS_EVERY == 0:
                progress(i, total)
            if all(c is None for c in cells):
                continue
            result.total += 1
            obj, errors = self._row(i + 2, cells)
            if errors:
                result.errors.extend(errors)
            else:
                result.created.append(obj)
        if progress:
            progress(total, total)
        return result

    def _row(self, row: int, cells: list[Any]) -> tuple[Any, list[RowError]]:
        values, errors = self._values(row, cells)
        errors += self._duplicates(row, values)
        failed = {e.field for e in errors}
        # A blank cell is a value not given: the module's default applies (owner = the importing user).
        create = {k: v for k, v in values.items()
                  if v is not None and k not in failed and not self.spec.field(k).read_only}
        if not self.write:
            try:
                self.service.check_new(self.s, create)
            except ValidationError as exc:
                errors += [self._service_error(row, e.field, e.message) for e in exc.errors if e.field not in failed]
            return True, errors
        return self._create(row, create, failed, errors)

    def _create(self, row: int, create: dict[str, Any], failed: set[str | None], errors: list[RowError]) -> tuple[Any, list[RowError]]:
        """Insert the row inside a SAVEPOINT, kept only when the row has no problem at all."""
        nested = self.s.begin_nested()
        try:
            obj = self.service.create_in(self.s, create)
        except ValidationError as exc:
            if not nested.is_active:  # the service rolled the whole unit back (a unique clash with a concurrent write)
                raise ValidationError([type(e)(e.field, e.code, e.message, row=row) for e in exc.errors]) from None
            errors += [self._service_error(row, e.field, e.message) for e in exc.errors if e.field not in failed]
            obj = None
        if errors:
            nested.rollback()
            return None, errors
        nested.commit()
        return obj, []

    def _values(self, row: int, cells: list[Any]) -> tuple[dict[str, Any], list[RowError]]:
        values: dict[str, Any] = {}
        errors: list[RowError] = []
        for col, name in self.mapping.items():
            f = self.spec.field(name)
            cell = cells[col] if col < len(cells) else None
            problem = limits.cell_problem(cell) if isinstance(cell, str) else None
            if problem is not None:
                errors.append(RowError(row, col, name, Text(f"{f.label.zh}：{problem.zh}", f"{f.label.en}: {problem.en}")))
                continue
            try:
                values[name] = convert(f, cell, self.lookups)
            except CellProblem as exc:
                errors.append(RowError(row, col, name, exc.message))
        return values, errors

    def _duplicates(self, row: int, values: dict[str, Any]) -> list[RowError]:
        texts = {k: cell_text(v) for k, v in values.items() if v is not None}
        errors = []
        for name, key in row_keys(self.spec, texts).items():
            f = self.spec.field(name)
            first = self.seen[name].setdefault(key, row)
            if key in self.lookups.existing[name]:
                msg = Text(f"{f.label.zh}：“{texts[name]}”与数据库中已有记录重复",
                           f"{f.label.en}: '{texts[name]}' duplicates a record already in the database")
            elif first != row:
                msg = Text(f"{f.label.zh}：“{texts[name]}”与文件第 {first} 行重复",
                           f"{f.label.en}: '{texts[name]}' duplicates row {first} of the file")
            else:
                continue
            errors.append(RowError(row, self.column_of.get(name), name, msg))
        return errors

    def _service_error(self, row: int, name: str | None, message: Text) -> RowError:
        return RowError(row, self.column_of.get(name or ""), name if name in self.spec.all_fields else None, message)
