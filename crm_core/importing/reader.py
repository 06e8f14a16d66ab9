"""Reading xlsx and CSV files into rows of typed cells, within the caps of :mod:`limits`.

xlsx goes through python-calamine (about ten times faster than openpyxl's
read-only mode); its types are restored to what the user typed: whole numbers
come back as floats, midnight datetimes as dates. CSV encodings are detected:
UTF-8 (with or without BOM), UTF-16 with BOM, otherwise GB18030 (the superset
of GBK that Chinese Excel writes).

An office's own sheet rarely starts with its header: a merged title row, a
date line or blank rows come first. :func:`find_header` picks the row that
looks most like column names (and names most known fields), in the sheet
holding the list (a "说明" sheet often comes first, a summary after it: see
:func:`_data_sheet`); the user may choose another row or sheet, which the
caller passes back in.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path
from typing import Any

from crm_core.importing import limits
from crm_core.importing.limits import file_error
from crm_core.importing.model import ImportSource

PREVIEW_ROWS = 20
HEADER_SCAN_ROWS = 30  # the header is looked for among the first rows only


@dataclass(frozen=True)
class Table:
    """A sheet: header cells and data rows (data row i is spreadsheet row ``header_row + 1 + i``).

    Attributes:
        header_row: 1-based spreadsheet row of the column names.
        sheet: the sheet read (xlsx), ``sheets`` all the workbook's sheets.
        top: the first rows of the sheet (above and below the header), for choosing another header row.
    """

    format: str
    encoding: str | None
    headers: list[str]
    rows: list[list[Any]]
    header_row: int = 1
    sheet: str | None = None
    sheets: tuple[str, ...] = ()
    top: tuple[tuple[Any, ...], ...] = ()

    def row_number(self, index: int) -> int:
        """The spreadsheet row number of data row ``index``."""
        return self.header_row + 1 + index


def cell_text(value: Any) -> str:
    """A cell as the user reads it (previews, error reports)."""
    if type(value) is str:  # most cells; str() of a str is the str itself
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="minutes" if value.second == 0 else "seconds")
    return str(value)


def read_table(path: str | Path, *, sheet: str | None = None, header_row: int | None = None,
               known: Callable[[str], bool] | None = None) -> Table:
    """Read a whole sheet of an xlsx file, or a CSV file.

    Args:
        sheet: the sheet's name (default: the sheet holding the list, see :func:`_data_sheet`).
        header_row: 1-based row of the column names (default: found by :func:`find_header`).
        known: tells whether a header names a field, to find the header row.

    Raises:
        ValidationError: (field "file") unreadable, unknown format, no such sheet, or beyond a cap.
    """
    path = Path(path)
    limits.check_file_size(path)
    with path.open("rb") as f:
        magic = f.read(4)
    if magic == b"PK\x03\x04":
        limits.check_xlsx_archive(path)
        fmt, encoding = "xlsx", None
        sheets, sheet, rows = _xlsx_rows(path, sheet, known)
    elif magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise file_error("xls", "不支持旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 后再导入。",
                         "Old Excel (.xls) files are not supported; save it as .xlsx in Excel and import that.")
    else:
        encoding, text = _decode(path.read_bytes())
        fmt, rows, sheets, sheet = "csv", _csv_rows(text), (), None
    return _table(fmt, encoding, rows, header_row, known, sheet, sheets)


def open_source(path: str | Path, *, sheet: str | None = None, header_row: int | None = None,
                known: Callable[[str], bool] | None = None) -> ImportSource:
    """What the import wizard shows after the user picks a file (and, maybe, a sheet or a header row)."""
    table = read_table(path, sheet=sheet, header_row=header_row, known=known)
    preview = [[cell_text(c) for c in row] for row in table.rows[:PREVIEW_ROWS]]
    top = [[cell_text(c) for c in row] for row in table.top]
    # Blank lines between blocks are not rows: counted as the check counts them (the file page said 305, the check 300).
    rows = sum(1 for row in table.rows if any(c is not None for c in row))
    return ImportSource(Path(path), table.format, table.encoding, table.headers, rows, preview,
                        header_row=table.header_row, sheet=table.sheet, sheets=list(table.sheets), top_rows=top)


def find_header(rows: list[list[Any]], known: Callable[[str], bool] | None = None) -> int:
    """0-based index of the row that looks most like column names among ``rows``.

    The row naming the most known fields wins (ties: the upper one). Failing that, the first row
    whose text cells fill at least half of the widest row: a merged title holds one cell, a date
    line or a unit note two or three, a blank row none; numbers and dates are data, not names.
    """
    texts = [[c.strip() for c in row if isinstance(c, str) and c.strip() and not _looks_numeric(c)] for row in rows]
    if known is not None:
        hits = [sum(1 for t in set(ts) if known(t)) for ts in texts]
        if hits and max(hits) >= 2:
            return hits.index(max(hits))
    widest = max((sum(1 for c in row if c is not None and c != "") for row in rows), default=0)
    for i, ts in enumerate(texts):
        if len(set(ts)) >= max(2, (widest + 1) // 2):
            return i
    return 0


def _looks_numeric(text: str) -> bool:
    return text.strip().replace(",", "").replace(".", "", 1).replace("-", "", 1).isdigit()


def _table(fmt: str, encoding: str | None, rows: Iterable[list[Any]], header_row: int | None,
           known: Callable[[str], bool] | None, sheet: str | None, sheets: tuple[str, ...]) -> Table:
    it = iter(rows)
    top = list(islice(it, HEADER_SCAN_ROWS))
    if header_row is None:
        index = find_header(top, known)
    elif not 1 <= header_row <= len(top):
        raise file_error("header_row", f"标题行：第 {header_row} 行不在文件的前 {len(top)} 行之内。",
                         f"Header row: row {header_row} is not among the file's first {len(top)} rows.")
    else:
        index = header_row - 1
    header = top[index] if top else None
    headers = [cell_text(c).strip() for c in header or []]
    if not any(headers):
        raise file_error("no_header", f"第 {index + 1} 行应为列标题，但它是空的。",
                         f"Row {index + 1} should hold the column headers but is empty.")
    data: list[list[Any]] = top[index + 1:]
    for row in it:
        data.append(row)
        if len(data) > limits.MAX_ROWS:
            limits.refuse_row_count()  # stop reading: the count so far is enough to refuse
    if len(data) > limits.MAX_ROWS:
        limits.refuse_row_count()
    while data and all(c is None for c in data[-1]):
        data.pop()
    return Table(fmt, encoding, headers, data, index + 1, sheet, sheets, tuple(tuple(r) for r in top[:PREVIEW_ROWS]))


def _xlsx_rows(path: Path, name: str | None,
               known: Callable[[str], bool] | None = None) -> tuple[tuple[str, ...], str, Iterator[list[Any]]]:
    """The sheet ``name`` (default: the first sheet with column names, see :func:`_data_sheet`) and its rows."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        names = tuple(book.sheet_names)
    except Exception:  # noqa: BLE001 - calamine raises its own error types for every kind of damage
        raise file_error("unreadable", "无法读取该 Excel 文件（文件可能已损坏）。",
                         "Cannot read this Excel file (it may be damaged).") from None
    if name is not None and name not in names:
        raise file_error("sheet", f"工作表：文件中没有名为“{name}”的工作表（有：{'、'.join(names)}）。",
                         f"Sheet: the file has no sheet '{name}' (it has: {', '.join(names)}).")
    try:
        if name is not None:
            sheet = book.get_sheet_by_name(name)
            rows: Iterator[list[Any]] = (_restore_types(row) for row in sheet.iter_rows())
        else:
            sheet, rows = _data_sheet(book, names, known)
    except Exception:  # noqa: BLE001
        raise file_error("unreadable", "无法读取该 Excel 文件（文件可能已损坏）。",
                         "Cannot read this Excel file (it may be damaged).") from None
    return names, sheet.name, rows


def _data_sheet(book: Any, names: tuple[str, ...], known: Callable[[str], bool] | None) -> tuple[Any, Iterator[list[Any]]]:
    """The sheet holding the list: the first visible sheet, unless it has no header naming a known field.

    Offices put a "说明" (notes) or cover sheet before the list; opening that would show the clerk
    his notes as data. The first sheet stays the choice when one of its top rows is a header (two or
    more names) naming a known field, even if a later sheet names more: a summary or pivot after
    the list (销售|客户|数量) names as many. Otherwise the visible sheet whose header names the most
    known fields, at least two, is opened (the first of equals), else the first. Only then are the
    others read (their top rows), so the usual file is read once; a later sheet that cannot be read
    (a chart sheet, a damaged part) is passed over, and hidden sheets are never chosen by themselves.
    """
    indexes = _visible_worksheets(book, len(names))
    sheet = book.get_sheet_by_index(indexes[0])
    rows = (_restore_types(row) for row in sheet.iter_rows())
    if known is None:
        return sheet, rows
    top = list(islice(rows, HEADER_SCAN_ROWS))
    first = (sheet, chain(top, rows))
    if _names_a_field(top, known):
        return first
    best, best_hits = first, 1  # a later sheet is opened for two known names or more, the first of equals
    for index in indexes[1:]:
        try:
            sheet = book.get_sheet_by_index(index)
            rows = (_restore_types(row) for row in sheet.iter_rows())
            top = list(islice(rows, HEADER_SCAN_ROWS))
        except Exception:  # noqa: BLE001 - a later sheet that cannot be read is not the list; the first still is
            continue
        if (hits := _known_hits(top, known)) > best_hits:
            best, best_hits = (sheet, chain(top, rows)), hits
    return best


def _visible_worksheets(book: Any, count: int) -> list[int]:
    """Indexes of the visible worksheets (not chart sheets), as calamine tells them; all when it cannot."""
    try:
        from python_calamine import SheetTypeEnum, SheetVisibleEnum

        meta = book.sheets_metadata
        indexes = [i for i, m in enumerate(meta) if m.visible == SheetVisibleEnum.Visible
                   and m.typ == SheetTypeEnum.WorkSheet]
    except Exception:  # noqa: BLE001 - an older calamine without sheet metadata: every sheet is a candidate
        indexes = list(range(count))
    return indexes or [0]


def _header_texts(top: list[list[Any]]) -> list[set[str]]:
    return [{c.strip() for c in row if isinstance(c, str) and c.strip()} for row in top]


def _known_hits(top: list[list[Any]], known: Callable[[str], bool]) -> int:
    """How many known fields the best header-like row among ``top`` names."""
    return max((sum(1 for t in ts if known(t)) for ts in _header_texts(top)), default=0)


def _names_a_field(top: list[list[Any]], known: Callable[[str], bool]) -> bool:
    """Whether a row of two or more names among ``top`` names a known field."""
    return any(len(ts) >= 2 and any(known(t) for t in ts) for ts in _header_texts(top))


def _restore_types(row: list[Any]) -> list[Any]:
    out = []
    for c in row:
        t = type(c)
        if t is str:  # most cells: the general branches below, taken in one test
            out.append(c if c else None)
        elif t is float and c.is_integer() and abs(c) < 2 ** 53:
            out.append(int(c))  # calamine hands every number over as float
        elif c == "" or c is None:
            out.append(None)
        elif isinstance(c, float) and c.is_integer() and abs(c) < 2 ** 53:
            out.append(int(c))  # calamine hands every number over as float
        elif isinstance(c, (dt.time, dt.timedelta)):
            out.append(str(c))
        else:
            out.append(c)  # str, float, bool, date (a midnight datetime), datetime
    return out


def _decode(data: bytes) -> tuple[str, str]:
    """(encoding, text) of a CSV file's bytes."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]  # a BOM says what the file is: no guessing past it
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16", "utf-8", "gb18030"]
    else:
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        try:
            return encoding, data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise file_error("encoding", "无法识别文件编码：请保存为 UTF-8 或 GBK 编码的 CSV，或 Excel（xlsx）文件。",
                     "Cannot tell the file's encoding: save it as CSV in UTF-8 or GBK, or as Excel (xlsx).")


def _csv_rows(text: str) -> list[list[Any]]:
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first_line.count) if first_line else ","
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        raise file_error("csv", "CSV 文件格式有误（例如引号未闭合），无法读取。",
                         "The CSV file is malformed (an unclosed quote, for example) and cannot be read.") from None
    return [[c if c.strip() != "" else None for c in row] for row in rows]
