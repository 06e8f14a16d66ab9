"""ExportService (``session.exports``): any grid, as filtered and sorted, to xlsx, CSV or PDF.

Records come from the module service's ``export()``, which checks the export
right, applies the actor's row scope and masks what his role may not see, page
by page; this service only turns them into a file, streaming.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from crm_core.errors import FieldError, ValidationError
from crm_core.exporting.columns import ExportColumn, dictionary_labels, export_columns
from crm_core.exporting.describe import describe_query
from crm_core.exporting.pdf_grid import write_pdf
from crm_core.exporting.tabular import write_csv, write_xlsx
from crm_core.i18n import Text
from crm_core.lists import ListQuery
from crm_core.metadata import EntitySpec, Field, FieldType
from crm_core.permissions import MODULE_NAMES
from crm_core.reports.cells import format_value
from crm_core.reports.model import Kind
from crm_core.reports.output import atomic_path
from crm_core.reports.pdf_base import PdfMeta
from crm_core.reports.render_pdf import generated_line
from crm_core.services.context import Context

Progress = Callable[[int, int], None]
Writer = Callable[[Path, list[ExportColumn], Iterator[Mapping[str, Any]], PdfMeta], int]

WRITERS: dict[str, Writer] = {"xlsx": write_xlsx, "csv": write_csv, "pdf": write_pdf}
BATCH = 500
_TITLE = Text("{module}导出", "{module} export")
_KINDS = {FieldType.INTEGER: Kind.INTEGER, FieldType.MONEY: Kind.MONEY, FieldType.DATE: Kind.DATE,
          FieldType.DATETIME: Kind.DATETIME}


class ExportService:
    """Writes a module's grid to a file; see :meth:`write`."""

    def __init__(self, ctx: Context):
        self.ctx = ctx

    def formats(self) -> list[str]:
        """The file formats :meth:`write` accepts."""
        return list(WRITERS)

    def write(self, module: str, query: ListQuery | None, columns: list[str] | None, path: str | Path, fmt: str,
              lang: str, *, progress: Progress | None = None, batch: int = BATCH) -> int:
        """Write every record of ``module`` matching ``query``, in its order, to ``path``.

        Args:
            module: module key ("customers").
            query: the grid's filters, search and sort (its paging is ignored: all rows are written).
            columns: field names in the grid's visible order; None: the module's default columns.
            path: target file; replaced only when complete.
            fmt: "xlsx", "csv" or "pdf".
            lang: "zh_CN" or "en" for headers, choice labels and the title block.
            progress: called with (rows done, rows in total); may raise to cancel.
            batch: records read per database round trip.

        Returns:
            The number of rows written.

        Raises:
            PermissionDenied: the actor may not export this module.
            ValidationError: unknown module, format or column.
        """
        service = self._service(module)
        if fmt not in WRITERS:
            raise ValidationError([FieldError("format", "choice", Text(
                f"导出：不支持的格式“{fmt}”", f"Export: unsupported format '{fmt}'"))])
        query = dataclasses.replace(query or ListQuery(), after=None)
        records = service.export(query, batch=batch)  # checks the export right now, before any file exists
        labels = dictionary_labels(self.ctx.services["dictionary"].entries())
        custom = service.custom_fields() if hasattr(service, "custom_fields") else []
        cols = export_columns(service.spec, columns, lang, labels, custom)
        total = service.count(query)
        meta = self._meta(service.spec, query, lang, labels)
        with atomic_path(path) as tmp:
            return WRITERS[fmt](tmp, cols, _reporting(records, total, progress, batch), meta)

    def _service(self, module: str) -> Any:
        try:
            service = self.ctx.services[module]
        except KeyError:
            service = None
        if not hasattr(service, "export"):
            raise ValidationError([FieldError("module", "unknown", Text(
                f"导出：未知模块“{module}”", f"Export: unknown module '{module}'"))])
        return service

    def _meta(self, spec: EntitySpec, query: ListQuery, lang: str, labels: Mapping[tuple[str, str], Text]) -> PdfMeta:
        """Title, filters line and "generated at / by" for the file's header block."""
        name = MODULE_NAMES.get(spec.module, spec.label)

        def value_text(field: Field, value: Any) -> str:
            if field.type is FieldType.CHOICE:
                col = ExportColumn(field, "", Kind.TEXT, lang, labels)
                return str(col.value({field.name: value}))
            return format_value(value, _KINDS.get(field.type, Kind.TEXT))

        filters = describe_query(spec, query, lang, value_text, self._ref_names)
        at = dt.datetime.now(dt.timezone.utc)
        return PdfMeta(_TITLE.format(module=name(lang))(lang), filters, generated_line(at, self.ctx.actor.name, lang),
                       lang)

    def _ref_names(self, field: Field, ids: set[int]) -> Mapping[int, str]:
        """Names of referenced records (as the grid's reference columns show them)."""
        with self.ctx.db.unit_of_work(write=False) as s:
            return self.ctx.services[field.ref or ""].display_names(s, ids)


def _reporting(records: Iterator[Mapping[str, Any]], total: int, progress: Progress | None,
               every: int) -> Iterator[Mapping[str, Any]]:
    """Pass the records through, calling ``progress(done, total)`` at the start, every ``every`` rows and the end."""
    if progress is not None:
        progress(0, total)
    done = 0
    for record in records:
        yield record
        done += 1
        if progress is not None and done % every == 0:
            progress(done, max(total, done))
    if progress is not None:
        progress(done, max(total, done))
