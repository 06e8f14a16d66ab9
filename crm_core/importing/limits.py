"""Caps on what the importer reads, each refused with a message naming the limit.

Module constants so that an office (or a test) can change them in one place;
they are read at call time.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from crm_core.errors import FieldError, ValidationError
from crm_core.i18n import Text

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ROWS = 100_000
MAX_XLSX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200  # sheet XML compresses ~10-30x; far beyond that is a zip bomb
RATIO_CHECK_FROM = 10 * 1024 * 1024  # small files may compress as they like
MAX_CELL_CHARS = 5_000

# Control characters other than tab and line ends (NUL included): never typed, often a sign of a broken file.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def file_error(code: str, zh: str, en: str) -> ValidationError:
    """A problem with the file as a whole (field "file")."""
    return ValidationError([FieldError("file", code, Text(zh, en))])


def _mb(n: int) -> str:
    """A size as people read it: 50 MB, 200 KB, 100 B."""
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f}".removesuffix(".0") + " MB"
    return f"{n / 1024:.0f} KB" if n >= 1024 else f"{n} B"


def check_file_size(path: Path) -> None:
    """Refuse files over :data:`MAX_FILE_BYTES` (and missing or empty files)."""
    try:
        size = path.stat().st_size
    except OSError:
        raise file_error("unreadable", f"无法打开文件“{path.name}”。", f"Cannot open the file '{path.name}'.") from None
    if size > MAX_FILE_BYTES:
        raise file_error("too_big", f"文件过大：{_mb(size)}，最多 {_mb(MAX_FILE_BYTES)}。",
                         f"The file is too big: {_mb(size)}; the limit is {_mb(MAX_FILE_BYTES)}.")
    if size == 0:
        raise file_error("empty", "文件是空的。", "The file is empty.")


def check_xlsx_archive(path: Path) -> None:
    """Look at the zip directory before anything is unpacked: total size and compression ratio.

    Raises:
        ValidationError: not a readable xlsx, or it would unpack beyond the caps (a zip bomb).
    """
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise file_error("unreadable", "文件不是有效的 Excel（xlsx）文件。", "The file is not a valid Excel (xlsx) file.") from None
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if total > MAX_XLSX_UNCOMPRESSED:
        raise file_error("too_big_unpacked", f"Excel 文件解压后过大：{_mb(total)}，最多 {_mb(MAX_XLSX_UNCOMPRESSED)}。",
                         f"The Excel file unpacks to {_mb(total)}; the limit is {_mb(MAX_XLSX_UNCOMPRESSED)}.")
    if total > RATIO_CHECK_FROM and total / packed > MAX_COMPRESSION_RATIO:
        raise file_error("compression_ratio", f"Excel 文件压缩比异常（{total // packed} 倍，最多 {MAX_COMPRESSION_RATIO} 倍），拒绝读取。",
                         f"The Excel file is compressed {total // packed} times (the limit is {MAX_COMPRESSION_RATIO}); refused.")


def refuse_row_count() -> None:
    """Refuse a file with more than :data:`MAX_ROWS` data rows (called as soon as one too many is read)."""
    raise file_error("too_many_rows", f"数据行过多：每次最多导入 {MAX_ROWS} 行，请拆分文件。",
                     f"Too many rows: at most {MAX_ROWS} rows per import. Split the file.")


def cell_problem(text: str) -> Text | None:
    """Why a cell's text cannot be imported (too long, control characters), or None."""
    if len(text) > MAX_CELL_CHARS:
        return Text(f"内容过长（{len(text)} 个字符，单元格最多 {MAX_CELL_CHARS} 个）",
                    f"is too long ({len(text)} characters; a cell holds at most {MAX_CELL_CHARS})")
    if CONTROL_CHARS.search(text):
        return Text("包含不允许的控制字符（如 NUL）", "contains control characters (such as NUL) that are not allowed")
    return None
