"""Streaming CSV and xlsx writers for grid exports.

Both take an iterator of records and write each row as it arrives: memory
stays at one page of records plus a chunk of output, whatever the number of
rows. Each column gets one small conversion function up front (see
:meth:`ExportColumn.get` and :func:`csv_cell`), so a cell costs a couple of
function calls and no decisions; bench/bench_export.py compares the writers
with csv.writer and openpyxl's write-only mode on the same rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from operator import itemgetter, methodcaller
from pathlib import Path
from typing import Any

from crm_core.exporting.columns import ExportColumn
from crm_core.exporting.xlsx_stream import XlsxStream, cell_xml
from crm_core.i18n import Text
from crm_core.metadata import FieldType
from crm_core.reports.cells import DANGEROUS_PREFIXES, csv_text, format_value, local_clock, local_texts
from crm_core.reports.model import Kind
from crm_core.reports.pdf_base import PdfMeta
from crm_core.reports.xlsx_base import column_widths, safe_sheet_title

SAMPLE_ROWS = 50  # rows looked at to size the columns
_DANGEROUS_START = re.compile("\0[" + re.escape("".join(DANGEROUS_PREFIXES)) + "]")
CSV_BATCH = 100  # records converted together, column by column (held at once: keep it small)
_INFO_SHEET = Text("导出说明", "About this export")
_ROWS = Text("记录数：{n}", "Rows: {n}")

Record = Mapping[str, Any]


def write_csv(path: Path, columns: list[ExportColumn], records: Iterator[Record], meta: PdfMeta) -> int:
    """UTF-8 with BOM (Excel in Chinese Windows detects it), CRLF, minimal quoting; returns rows written.

    Rows are converted a batch at a time, column by column: fetching a field
    from a batch of records, mapping choice codes to labels and checking for
    formula-like text run inside C (``map``, ``str.join``), so a plain text
    cell costs about what csv.writer itself spends on it.
    """
    del meta  # a CSV has no room for a header block: the first line must be the column names
    convert = csv_rows(columns)
    n = 0
    # UTF-8 with the BOM written by hand: the same bytes as the "utf-8-sig" codec, but TextIOWrapper
    # encodes UTF-8 in C, where "utf-8-sig" calls a Python encoder for every row csv.writer writes.
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("\ufeff")
        out = csv.writer(fh, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        out.writerow([csv_text(c.header) for c in columns])
        while batch := list(itertools.islice(records, CSV_BATCH)):
            out.writerows(convert(batch))
            n += len(batch)
    return n


def csv_rows(columns: list[ExportColumn]) -> Callable[[list[Record]], Iterable[tuple[Any, ...]]]:
    """``records -> CSV rows`` for a batch: the cells :func:`csv_column` gives, column for column.

    Text, choices and references (most cells) are fetched a record at a time, all of them in one
    ``itemgetter`` call, and turned into columns by ``zip`` (both in C); the formula check looks at
    every text cell of the batch in one search. Money, dates, timestamps and custom fields go through
    their :func:`csv_column` converters.
    """
    fetched: list[tuple[int, str]] = []  # (column, record key) fetched as they are
    words: list[tuple[int, Callable[..., Any]]] = []  # choice columns: code -> label (unknown codes as they are)
    others: list[tuple[int, Callable[[list[Record]], list[Any]]]] = []
    for i, c in enumerate(columns):
        f = c.field
        if c.custom or c.kind in (Kind.MONEY, Kind.DATE, Kind.DATETIME):
            others.append((i, csv_column(c)))
        else:
            fetched.append((i, f"{f.name}_display" if f.type is FieldType.REF else f.name))
            if f.type in (FieldType.CHOICE, FieldType.BOOL):
                words.append((i, c.words().get))
    keys = [key for _, key in fetched]
    getter = itemgetter(*keys) if len(keys) > 1 else (lambda r: (r[keys[0]],)) if keys else None
    width = len(columns)

    def rows(batch: list[Record]) -> Iterable[tuple[Any, ...]]:
        cells: list[Any] = [()] * width
        if getter is not None:
            try:
                got = list(zip(*map(getter, batch)))
            except KeyError:  # a record without one of the keys: that cell is empty, as record.get gives it
                got = [[r.get(k) for r in batch] for k in keys]
            for (i, _), values in zip(fetched, got):
                cells[i] = values
            for i, word in words:
                codes = cells[i]
                cells[i] = list(map(word, codes, codes))
            if not _all_safe([cells[i] for i, _ in fetched]):
                for i, _ in fetched:
                    cells[i] = neutralised(list(cells[i]))
        for i, convert in others:
            cells[i] = convert(batch)
        return zip(*cells)
    return rows


def _all_safe(columns: list[Any]) -> bool:
    """Whether every cell of these columns is text (or empty) that no spreadsheet takes for a formula."""
    try:
        joined = "\0".join(filter(None, itertools.chain.from_iterable(columns)))
    except TypeError:  # numbers among them: looked at one by one
        return False
    return not _DANGEROUS_START.search("\0" + joined)


def csv_column(column: ExportColumn) -> Callable[[list[Record]], list[Any]]:
    """``records -> CSV cells`` of ``column`` for a batch of records.

    Text, whole numbers, choices and references (most cells) are fetched and
    checked batch-wise; money and dates go cell by cell through :func:`csv_cell`.
    csv.writer turns numbers into text itself and writes None as "".
    """
    f = column.field
    if column.kind is Kind.DATETIME and not column.custom:
        return _csv_timestamps(column)
    if column.custom or column.kind in (Kind.MONEY, Kind.DATE):
        get, conv = column.get, csv_cell(column.kind)
        return lambda batch: [conv(get(r)) for r in batch]
    if f.type in (FieldType.CHOICE, FieldType.BOOL):
        fetch, word = methodcaller("get", f.name), column.words().get

        def words(batch: list[Record]) -> list[Any]:
            codes = list(map(fetch, batch))
            return neutralised(list(map(word, codes, codes)))  # unknown codes (masked, retired) as they are
        return words
    fetch = methodcaller("get", f"{f.name}_display" if f.type is FieldType.REF else f.name)
    return lambda batch: neutralised(list(map(fetch, batch)))


def _csv_timestamps(column: ExportColumn) -> Callable[[list[Record]], list[Any]]:
    """Timestamps in the office's local time to the second, a batch at a time when none is missing."""
    fetch, one = methodcaller("get", column.field.name), csv_cell(Kind.DATETIME)
    offsets: dict[Any, Any] = {}

    def stamps(batch: list[Record]) -> list[Any]:
        values = list(map(fetch, batch))
        local = local_texts(offsets, values)
        return local if local is not None else list(map(one, values))
    return stamps


def neutralised(values: list[Any]) -> list[Any]:
    """``values`` with formula-like text prefixed by an apostrophe (:func:`csv_text`).

    A batch without any such text — nearly always — is checked in C: its texts
    joined with NUL, then one substring search per dangerous first character.
    """
    types = set(map(type, values))
    if str not in types:
        return values
    if types <= {str, type(None)}:
        if not _DANGEROUS_START.search("\0" + "\0".join(filter(None, values))):
            return values
    return [_csv_any(v) for v in values]


def csv_cell(kind: Kind) -> Callable[[Any], Any]:
    """The CSV cell of a ``kind`` column: numbers and dates machine-readable (no thousands separators),
    text neutralised against formulas; None stays None (csv.writer writes it as "")."""
    if kind is Kind.MONEY:
        return lambda v: f"{v:.2f}" if isinstance(v, (Decimal, int, float)) else _csv_any(v)
    if kind is Kind.DATETIME:
        local = local_clock()
        return lambda v: local(v).isoformat(" ", "seconds") if isinstance(v, dt.datetime) else _csv_any(v)
    if kind is Kind.DATE:
        return lambda v: v.isoformat() if isinstance(v, dt.date) else _csv_any(v)
    return _csv_any


def _csv_any(value: Any) -> Any:
    """Text with a leading apostrophe when a spreadsheet would take it as a formula; numbers as they are."""
    if value.__class__ is str and value.startswith(DANGEROUS_PREFIXES):
        return "'" + value
    return value


def write_xlsx(path: Path, columns: list[ExportColumn], records: Iterator[Record], meta: PdfMeta) -> int:
    """A workbook with typed cells, a styled frozen header with autofilter, sized columns and an info sheet."""
    first = list(itertools.islice(records, SAMPLE_ROWS))
    sample = [[format_value(c.get(r), c.kind) for c in columns] for r in first]
    widths = column_widths([c.header for c in columns], sample)
    cells = [(c.get, cell_xml(c.kind)) for c in columns]
    rows = ([conv(get(r)) for get, conv in cells] for r in itertools.chain(first, records))
    with XlsxStream(path) as book:
        n = book.sheet(safe_sheet_title(meta.title), widths, [c.header for c in columns], rows)
        book.notes_sheet(safe_sheet_title(_INFO_SHEET(meta.lang)),
                         [meta.title, meta.filters_line, meta.generated_line, _ROWS.format(n=n)(meta.lang)])
    return n
