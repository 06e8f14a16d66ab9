"""Reading xlsx and CSV files into rows of typed cells, within the caps of :mod:`limits`.

xlsx goes through python-calamine (about ten times faster than openpyxl's
read-only mode); its types are restored to what the user typed: whole numbers
come back as floats, midnight datetimes as dates. CSV encodings are detected:
UTF-8 (with or without BOM), UTF-16 with BOM, otherwise GB18030 (the superset
of GBK that Chinese Excel writes).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crm_core.importing import limits
from crm_core.importing.limits import file_error
from crm_core.importing.model import ImportSource

PREVIEW_ROWS = 20


@dataclass(frozen=True)
class Table:
    """A whole file: header cells and data rows (row i is spreadsheet row i + 2)."""

    format: str
    encoding: str | None
    headers: list[str]
    rows: list[list[Any]]


def cell_text(value: Any) -> str:
    """A cell as the user reads it (previews, error reports)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="minutes" if value.second == 0 else "seconds")
    return str(value)


def read_table(path: str | Path) -> Table:
    """Read a whole xlsx or CSV file.

    Raises:
        ValidationError: (field "file") unreadable, unknown format, or beyond a cap.
    """
    path = Path(path)
    limits.check_file_size(path)
    with path.open("rb") as f:
        magic = f.read(4)
    if magic == b"PK\x03\x04":
        limits.check_xlsx_archive(path)
        fmt, encoding, rows = "xlsx", None, _xlsx_rows(path)
    elif magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise file_error("xls", "不支持旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 后再导入。",
                         "Old Excel (.xls) files are not supported; save it as .xlsx in Excel and import that.")
    else:
        encoding, text = _decode(path.read_bytes())
        fmt, rows = "csv", _csv_rows(text)
    return _table(fmt, encoding, rows)


def open_source(path: str | Path) -> ImportSource:
    """What the import wizard shows after the user picks a file."""
    table = read_table(path)
    preview = [[cell_text(c) for c in row] for row in table.rows[:PREVIEW_ROWS]]
    return ImportSource(Path(path), table.format, table.encoding, table.headers, len(table.rows), preview)


def _table(fmt: str, encoding: str | None, rows: Iterable[list[Any]]) -> Table:
    it = iter(rows)
    header = next(it, None)
    headers = [cell_text(c).strip() for c in header or []]
    if not any(headers):
        raise file_error("no_header", "文件第一行应为列标题，但它是空的。", "The first row should hold the column headers but is empty.")
    data: list[list[Any]] = []
    for row in it:
        data.append(row)
        if len(data) > limits.MAX_ROWS:
            limits.refuse_row_count()  # stop reading: the count so far is enough to refuse
    while data and all(c is None for c in data[-1]):
        data.pop()
    return Table(fmt, encoding, headers, data)


def _xlsx_rows(path: Path) -> Iterator[list[Any]]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        sheet = book.get_sheet_by_index(0)
        rows = sheet.iter_rows()
    except Exception:  # noqa: BLE001 - calamine raises its own error types for every kind of damage
        raise file_error("unreadable", "无法读取该 Excel 文件（文件可能已损坏）。",
                         "Cannot read this Excel file (it may be damaged).") from None
    return (_restore_types(row) for row in rows)


def _restore_types(row: list[Any]) -> list[Any]:
    out = []
    for c in row:
        if c == "" or c is None:
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
